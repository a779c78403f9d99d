// A small fuzz loop over the exec-side parsers: random input never throws, and verdicts are sane.
import { expect, it } from 'vitest';
import { isCompleteCommand } from '../../src/daemon/exec/bash-syntax';
import { MarkParser } from '../../src/daemon/shell/marks';
import { judgeRequest, parseRequest, DEFAULT_TIMING } from '../../src/daemon/exec/request';

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const ALPHABET = ['a', ' ', '\n', '"', "'", '`', '$', '(', ')', '{', '}', '\\', '#', '<', '<<', 'EOF', ';', '&', '|', 'if ', 'then ', 'fi', 'do', 'done', 'case ', 'esac', 'for ', '#!', 'session ', '\t', '\x1b', '\0', '\r'];

it('never throws on random shell-ish text, and EOF always decides', () => {
  const rand = rng(42);
  for (let i = 0; i < 5000; i++) {
    const parts = Array.from({ length: Math.floor(rand() * 40) }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)] as string);
    const text = parts.join('');
    expect(typeof isCompleteCommand(text)).toBe('boolean');
    const r = parseRequest(text);
    expect(typeof r.ok).toBe('boolean');
    const buf = Buffer.from(text);
    const atEof = judgeRequest(buf, true, 1 << 20, DEFAULT_TIMING);
    expect(['ready', 'empty', 'refuse']).toContain(atEof.kind);
    const open = judgeRequest(buf, false, 1 << 20, DEFAULT_TIMING);
    expect(['wait', 'refuse']).toContain(open.kind);
  }
});

it('never throws on random bytes in the mark parser, and passes every byte through', () => {
  const rand = rng(7);
  const p = new MarkParser('0123456789abcdef0123456789abcdef');
  let inBytes = 0;
  let outBytes = 0;
  for (let i = 0; i < 3000; i++) {
    const chunk = Buffer.from(Array.from({ length: Math.floor(rand() * 50) }, () => (rand() < 0.2 ? 0x1b : Math.floor(rand() * 256))));
    inBytes += chunk.length;
    for (const e of p.push(chunk)) if (e.type === 'data') outBytes += e.data.length;
  }
  outBytes += p.flush().length;
  expect(outBytes).toBe(inBytes);
});
