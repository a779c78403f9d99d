import { expect, it } from 'vitest';
import { BoundedOutput } from '../../../src/mcp/bounded-output';

// Feeds `data` in pieces of `step` bytes.
function feed(max: number, data: Buffer, step: number): BoundedOutput {
  const b = new BoundedOutput(max);
  for (let i = 0; i < data.length; i += step) expect(b.write(data.subarray(i, i + step))).toBe(true);
  return b;
}

it('keeps everything up to its bound, in any chunking', () => {
  const data = Buffer.from('exactly-twenty-bytes');
  for (const step of [1, 3, 7, 20]) {
    const b = feed(20, data, step);
    expect(b.text()).toBe('exactly-twenty-bytes');
    expect(b.omittedBytes).toBe(0);
    expect(b.receivedBytes).toBe(20);
  }
});

it('keeps the head and the tail past its bound and says how much it left out', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => `${i + 1}\n`).join(''));
  for (const step of [1, 5, 64, 1000, data.length]) {
    const b = feed(100, data, step);
    expect(b.omittedBytes).toBe(data.length - 100);
    const text = b.text();
    expect(text).toBe(`${data.subarray(0, 50).toString()}\n[pty-relay mcp: ${data.length - 100} bytes of output left out here]\n${data.subarray(data.length - 50).toString()}`);
  }
});

it('never splits a UTF-8 character at either cut', () => {
  const data = Buffer.from('é'.repeat(100)); // 2 bytes each
  for (const max of [9, 10, 11, 13]) {
    const text = feed(max, data, 3).text();
    expect(text).not.toContain('\ufffd');
    const [head, tail] = text.split(/\n\[pty-relay mcp: \d+ bytes of output left out here\]\n/) as [string, string];
    expect(head).toMatch(/^é+$/);
    expect(tail).toMatch(/^é+$/);
    const left = Number(/(\d+) bytes/.exec(text)?.[1]);
    expect(Buffer.byteLength(head) + Buffer.byteLength(tail) + left).toBe(data.length);
  }
});
