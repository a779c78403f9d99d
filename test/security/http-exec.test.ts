// HTTP on the exec port, end to end (issue 20, finding 1): requests whose targets are 5 KiB, 9 KiB
// and 64 KiB long, and a POST with a body, each carrying a `;touch$IFS/…;true` payload, over plain
// TCP and through a real `ssh -L` forward, to a daemon without --web (refused by exec, one line)
// and with --web (the HTTP server: 414 past 8 KiB of request line, 431 past 16 KiB of headers).
// No payload may create its file; a control request over the same path must.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { freePort, Sshd } from '../helpers/sshd';

const REFUSAL = 'pty-relay: error: HTTP request refused; this port speaks shell text, not HTTP\n';
const SIZES = [5 * 1024, 9 * 1024, 64 * 1024];

// Sends `bytes` as a browser does (no half-close), and reads until the daemon closes.
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const out: Buffer[] = [];
    s.on('data', (c: Buffer) => out.push(c));
    // A reset after the answer (the daemon stops reading a refused flood) still ends the exchange.
    s.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    s.on('close', () => resolve(Buffer.concat(out).toString('latin1')));
    s.on('connect', () => s.write(bytes, 'latin1'));
  });
}

describe.each([
  ['without --web', [] as string[]],
  ['with --web', ['--web']],
])('HTTP on the exec port, %s', (mode, args) => {
  const web = args.includes('--web');
  let d: TestDaemon;
  let sshd: Sshd;
  let tunnelPort: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-sec-'));
  let n = 0;

  // A request target of `size` bytes whose path would create a fresh file if a shell ran it.
  const payload = (size: number): { target: string; file: string } => {
    const file = path.join(dir, `pwned-${++n}`);
    const head = `/x;touch$IFS${file};true`;
    return { target: head + 'a'.repeat(size - head.length), file };
  };

  beforeAll(async () => {
    d = await startDaemon({ args });
    sshd = new Sshd();
    await sshd.start();
    tunnelPort = await freePort();
    await sshd.tunnel(tunnelPort, d.port);
  });
  afterAll(async () => {
    sshd?.stop();
    expect(await d?.stop()).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // What the daemon must answer a request whose request line is `lineBytes` long.
  const expectAnswer = (answer: string, lineBytes: number, what: string): void => {
    if (!web) expect(answer, what).toBe(REFUSAL);
    else if (lineBytes > 8192) expect(answer, what).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n[^]*\r\n\r\npty-relay: request line longer than 8192 bytes\n$/);
    else expect(answer, what).toMatch(/^HTTP\/1\.1 403 /); // signed out: the sign-in page, nothing else
  };

  describe.each([
    ['over TCP', () => d.port],
    ['through ssh -L', () => tunnelPort],
  ])('%s', (_, portOf) => {
    it('a shell request on the same path runs (the control)', async () => {
      const file = path.join(dir, `control-${++n}`);
      const answer = await exchange(portOf(), `touch$IFS${file};echo made\n`);
      expect(answer).toBe('made\n');
      expect(fs.existsSync(file)).toBe(true);
    });

    it(`GET with ${SIZES.map((s) => `${s / 1024} KiB`).join(', ')} targets: ${web ? 'the HTTP server answers' : 'refused'}, nothing runs`, async () => {
      const port = portOf();
      for (const size of SIZES) {
        const { target, file } = payload(size);
        const line = `GET ${target} HTTP/1.1`;
        const answer = await exchange(port, `${line}\r\nHost: localhost:${port}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`);
        expectAnswer(answer, line.length, `${size} bytes`);
        expect(fs.existsSync(file), `${size} bytes`).toBe(false);
      }
    });

    it('POST with a shell script as its body, short and 9 KiB targets: nothing runs', async () => {
      const port = portOf();
      for (const size of [64, 9 * 1024]) {
        const { target, file } = payload(size);
        const bodyFile = path.join(dir, `body-${++n}`);
        const body = `\ntouch ${bodyFile}\n`;
        const line = `POST ${target} HTTP/1.1`;
        const answer = await exchange(port, `${line}\r\nHost: localhost:${port}\r\nOrigin: http://localhost:${port}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
        if (web && size < 8192) expect(answer).toMatch(/^HTTP\/1\.1 403 /); // a POST is answered only with its own Origin and JSON
        else expectAnswer(answer, line.length, `${size} bytes`);
        expect(fs.existsSync(file)).toBe(false);
        expect(fs.existsSync(bodyFile)).toBe(false);
      }
    });
  });

  it(web ? 'answers 431 to headers past 16 KiB' : 'refuses long headers before a shell sees them', async () => {
    const file = path.join(dir, `header-${++n}`);
    const answer = await exchange(d.port, `GET / HTTP/1.1\r\nHost: localhost:${d.port}\r\nX-Pad: ${'p'.repeat(20_000)}\r\nX-Cmd: x\ntouch ${file}\n\r\n`);
    if (web) expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    else expect(answer).toBe(REFUSAL);
    expect(fs.existsSync(file)).toBe(false);
    // Node's parser refuses these itself; the refusal is logged as ours are, not as a debug line.
    if (web) await waitFor('the header refusal in the log', () => (d.logs.some((l) => l.evt === 'web.refused' && l.reason === 'header-overflow') ? true : undefined));
  });

  it.runIf(web)('answers and logs 431 to a second request on a kept-alive connection whose headers pass 16 KiB', async () => {
    const before = d.logs.filter((l) => l.evt === 'web.refused' && l.reason === 'header-overflow').length;
    const file = path.join(dir, `kept-${++n}`);
    const first = `GET /favicon.ico HTTP/1.1\r\nHost: localhost:${d.port}\r\n\r\n`;
    const answer = await exchange(d.port, `${first}GET / HTTP/1.1\r\nHost: localhost:${d.port}\r\nX-Pad: ${'p'.repeat(20_000)}\r\nX-Cmd: x\ntouch ${file}\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 403 [\s\S]*HTTP\/1\.1 431 /);
    await waitFor('the second refusal in the log', () => (d.logs.filter((l) => l.evt === 'web.refused' && l.reason === 'header-overflow').length > before ? true : undefined));
    expect(fs.existsSync(file)).toBe(false);
  });

  it('logs the refusals, without the payload, and runs nothing but the controls', async () => {
    const refusals = d.logs.filter((l) => (l.evt === 'exec.refused' && l.reason === 'http') || (l.evt === 'web.refused' && l.reason === 'request-line'));
    await waitFor('the refusals in the log', () => (refusals.length > 0 ? true : undefined));
    // The two controls ran; nothing else did.
    expect(d.logs.filter((l) => l.evt === 'exec.done').length).toBe(2);
    expect(JSON.stringify(d.logs.filter((l) => l.evt === 'exec.refused' || l.evt === 'web.refused'))).not.toContain('touch$IFS');
    if (mode === 'with --web') expect(d.logs.filter((l) => l.evt === 'web.refused' && l.reason === 'request-line').length).toBe(6); // 9 and 64 KiB GETs, the 9 KiB POST, twice
  });
});
