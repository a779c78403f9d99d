// Fuzzing the two judges a connection meets before any byte can reach a shell: route() (which mode
// takes the connection, with --web) and judgeRequest() (is this exec text complete and runnable?).
// Generated HTTP-like, TLS-like and binary starts of every length up to the limits, cut at every
// point: nothing HTTP-like is ever judged runnable shell text, however long it is and however it
// arrives (issue 20, finding 1: a request line longer than 4 KiB used to run).
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, judgeRequest, type Readiness } from '../../src/daemon/exec/request';
import { classifyStart, MAX_REQUEST_LINE_BYTES, onlyLineEnds, route, START_BYTES } from '../../src/protocol/sniff';

const MAX = 64 * 1024; // --max-request-bytes for these runs (the daemon's default is 4M)
const runs = (r: Readiness): boolean => r.kind === 'ready' || (r.kind === 'wait' && r.ms !== Infinity);
const judge = (b: Buffer, eof: boolean): Readiness => judgeRequest(b, eof, MAX, DEFAULT_TIMING, 1);

// A small deterministic generator (mulberry32), so that a failure can be replayed.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(20);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PRI', 'PROPFIND', 'MKCOL', 'M-SEARCH', 'VERSION-CONTROL', 'UPDATEREDIRECTREF'];
const randomMethod = (): string => {
  const n = 3 + Math.floor(rnd() * 18);
  let m = String.fromCharCode(65 + Math.floor(rnd() * 26));
  while (m.length < n) m += rnd() < 0.1 ? '-' : String.fromCharCode(65 + Math.floor(rnd() * 26));
  return m;
};
// What a browser leaves unencoded in a path, and what a shell would make of it.
const PATH_CHARS = "abcXYZ019;$()&'=+,:@!*/-._~";
const PAYLOAD = '/x;touch$IFS/tmp/pwned;true';
const TARGET_STARTS = ['/', PAYLOAD, '*', 'http://localhost:9998/', 'https://localhost/', 'HTTP://x/', 'ws+a.b-c://x/'];

// A request target of exactly `length` bytes (at least its start).
function target(length: number): string {
  let t = pick(TARGET_STARTS);
  while (t.length < length) t += PATH_CHARS[Math.floor(rnd() * PATH_CHARS.length)];
  return t;
}

// A whole request as a browser or another client sends it, its target `length` bytes long.
function request(length: number): string {
  const method = rnd() < 0.7 ? pick(METHODS) : randomMethod();
  const lead = rnd() < 0.2 ? pick(['\r\n', '\n', '\r\n\r\n']) : '';
  const t = method === 'CONNECT' ? 'localhost:9998' : target(length);
  const body = method === 'POST' ? `a=1\ntouch /tmp/pwned\n${'b'.repeat(Math.floor(rnd() * 64))}` : '';
  return `${lead}${method} ${t} HTTP/1.1\r\nHost: localhost:9998\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

// Target lengths: every one around the start and the old windows (4 KiB, 8 KiB), some random
// ones beyond, and past the request size limit.
const LENGTHS = [
  ...Array.from({ length: START_BYTES + 64 }, (_, i) => i + 1),
  ...[4096, MAX_REQUEST_LINE_BYTES].flatMap((edge) => Array.from({ length: 129 }, (_, i) => edge - 64 + i)),
  ...Array.from({ length: 64 }, () => 1 + Math.floor(rnd() * 4 * MAX_REQUEST_LINE_BYTES)),
  MAX - 100,
  MAX,
  MAX + 1,
  3 * MAX,
];

describe('HTTP-like starts, whole', () => {
  it(`are refused as HTTP by exec and routed to HTTP with --web, at ${LENGTHS.length} target lengths`, () => {
    for (const n of LENGTHS) {
      const req = Buffer.from(request(n), 'latin1');
      for (const eof of [false, true]) expect(judge(req, eof), `length ${n}`).toMatchObject({ kind: 'refuse', reason: 'http' });
      expect(route(req), `length ${n}`).toBe('http');
    }
  });
});

describe('HTTP-like starts, cut at every byte', () => {
  // Whatever part of a request has arrived: exec never runs it, and route never calls it text.
  it('never run, at any cut of any request up to 9 KiB', () => {
    for (const n of [1, 7, 40, 300, 4100, MAX_REQUEST_LINE_BYTES + 10]) {
      const req = Buffer.from(request(n), 'latin1');
      const lead = req.length - req.toString('latin1').replace(/^[\r\n]+/, '').length;
      for (let k = 1; k <= req.length; k++) {
        const part = req.subarray(0, k);
        const start = classifyStart(part);
        expect(['http', 'undecided'], `${k} bytes of ${n}`).toContain(start);
        expect(runs(judge(part, false)), `${k} bytes of ${n}`).toBe(false);
        expect(['http', 'undecided'], `${k} bytes of ${n}`).toContain(route(part));
        // Decided within START_BYTES past the leading line ends, whatever follows.
        if (k >= lead + START_BYTES) expect(start, `${k} bytes of ${n}`).toBe('http');
      }
    }
  });

  // A client that says "done" (EOF) after a cut-short start gets it run: it can only be a word made
  // of method and scheme characters, with no room for anything a shell would act on.
  it('a cut-short start that runs on EOF carries no shell syntax', () => {
    for (let i = 0; i < 2000; i++) {
      const req = Buffer.from(request(1 + Math.floor(rnd() * 64)), 'latin1');
      const part = req.subarray(0, 1 + Math.floor(rnd() * Math.min(req.length, START_BYTES + 8)));
      if (runs(judge(part, true))) expect(part.toString('latin1')).toMatch(/^[\r\n]*[A-Z-]{0,20}( [A-Za-z0-9+.-]{0,16}:?\/?)?$/);
    }
  });

  it('is refused however it is chunked', () => {
    for (let i = 0; i < 300; i++) {
      const req = Buffer.from(request(pick([10, 4000, 4200, 8100, 8300, 20000])), 'latin1');
      let buf = Buffer.alloc(0);
      let at = 0;
      let reads = 0;
      let verdict: Readiness = { kind: 'wait', ms: Infinity };
      while (at < req.length) {
        const step = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 8 : 3000));
        buf = Buffer.concat([buf, req.subarray(at, at + step)]);
        at += step;
        verdict = judgeRequest(buf, false, MAX, DEFAULT_TIMING, ++reads);
        if (verdict.kind === 'refuse') break;
        if (!runs(verdict)) continue;
        // Only blank lines before the method run (as nothing): what follows is the next request.
        expect(onlyLineEnds(buf)).toBe(true);
        buf = Buffer.alloc(0);
        reads = 0;
      }
      expect(verdict).toMatchObject({ kind: 'refuse', reason: 'http' });
    }
  });
});

describe('TLS-like and binary starts', () => {
  it('a TLS handshake of any length is refused by exec and is not HTTP', () => {
    for (let n = 1; n <= 600; n++) {
      const hello = Buffer.from(Array.from({ length: n }, (_, i) => (i === 0 ? 0x16 : i === 1 ? 0x03 : i === 2 ? Math.floor(rnd() * 5) : Math.floor(rnd() * 256))));
      expect(route(hello)).not.toBe('http');
      const r = judge(hello, false);
      expect(runs(r), `length ${n}`).toBe(false);
      if (n >= 2) expect(r).toMatchObject({ kind: 'refuse', reason: 'tls' });
    }
  });

  it('random binary is framed, refused, or only ever judged with the same rule', () => {
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(rnd() * 256);
      const b = Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
      const r = route(b);
      if (b[0] === 0) expect(r).toBe('frames');
      const v = judge(b, rnd() < 0.5);
      // Whatever route() sends to HTTP, exec refuses as HTTP too: no mode runs it.
      if (r === 'http') expect(v).toMatchObject({ kind: 'refuse', reason: 'http' });
      if (runs(v)) expect(classifyStart(b)).not.toBe('http');
      if (runs(v)) expect(b.includes(0)).toBe(false);
    }
  });

  it('random starts of A-Z, spaces, slashes and colons: runnable only when not an HTTP start', () => {
    const alphabet = 'GETPOSTAZ -/*:htps\r\n';
    for (let i = 0; i < 20000; i++) {
      const n = 1 + Math.floor(rnd() * 48);
      const b = Buffer.from(Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''), 'latin1');
      const start = classifyStart(b);
      for (const eof of [false, true]) {
        const v = judge(b, eof);
        if (start === 'http') expect(v).toMatchObject({ kind: 'refuse', reason: 'http' });
        if (start === 'undecided' && !eof && /[^\r\n]/.test(b.toString('latin1'))) expect(runs(v)).toBe(false);
      }
    }
  });
});

describe('shell text stays shell text', () => {
  it.each([
    'echo hi\n',
    'GET=1 env\n',
    'POST=/x env\n',
    'ls /tmp\n',
    'cat /etc/hostname\n',
    ' GET /x\n',
    'command GET http://example.com/\n',
    'echo GET / HTTP/1.1\n',
    'A=1 B=2 env\n',
    'CC=gcc make\n',
    'X /\n',
    'PATH=/usr/bin:/bin ls\n',
    '#!session a\nGET /x\n',
    '\n\necho after blank lines\n',
  ])('%j', (text) => {
    const b = Buffer.from(text);
    expect(classifyStart(b)).toBe('other');
    expect(runs(judge(b, false))).toBe(true);
    expect(route(b)).toBe('text');
  });
});
