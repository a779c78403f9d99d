// Exact and bounded replies through real nc: #!raw (binary-safe bytes), #!limit (head and tail of a
// 10 MB output) and #!output (any byte range of a job's output, fetched later).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

// nc -N's raw stdout, as bytes.
async function ncBytes(text: string): Promise<Buffer> {
  const r = await run(['nc.openbsd', '-N', '127.0.0.1', String(d.port)], text, 60_000);
  return Buffer.from(r.stdoutBytes);
}

it('returns 4 KiB of random bytes through #!raw with the same checksum', async () => {
  const data = crypto.randomBytes(4096);
  // Make sure the bytes the PTY would rewrite are there: \n (to \r\n), \r, and a lone ESC.
  data[0] = 0x0a;
  data[1] = 0x0d;
  data[2] = 0x1b;
  const file = path.join(d.home, 'random.bin');
  fs.writeFileSync(file, data);
  const copy = await ncBytes(`#!raw\ncat ${file}\n`);
  expect(copy.length).toBe(4096);
  expect(crypto.createHash('sha256').update(copy).digest('hex')).toBe(crypto.createHash('sha256').update(data).digest('hex'));
  // The shell is unharmed: output processing is back on for the next request.
  expect((await ncBytes('printf "a\\nb\\n"\n')).toString()).toBe('a\nb\n');
});

it('reports a failed #!raw command after its bytes, and pty-relay exec --raw by its status only', async () => {
  const out = await ncBytes('#!raw\nprintf "\\x01\\x02"; false\n');
  expect(out.toString('latin1')).toBe('\x01\x02\npty-relay: exit status 1\n');
  const file = path.join(d.home, 'some.bin');
  fs.writeFileSync(file, crypto.randomBytes(1000));
  const r = await run([process.execPath, RELAY_BIN, 'exec', '--port', String(d.port), '--raw', '--', `cat ${file}; exit_with() { return $1; }; exit_with 3`], '');
  expect(r.code).toBe(3);
  expect(Buffer.from(r.stdoutBytes).equals(fs.readFileSync(file))).toBe(true);
});

it('bounds a 10 MB reply with #!limit, and #!output fetches a middle range that matches the file', async () => {
  const lines = Array.from({ length: 200_000 }, (_, i) => `line ${String(i).padStart(6, '0')} ${'x'.repeat(40)}`);
  const text = `${lines.join('\n')}\n`;
  const file = path.join(d.home, 'big.txt');
  fs.writeFileSync(file, text);
  expect(text.length).toBeGreaterThan(10_000_000);
  const reply = (await ncBytes(`#!limit 20000\ncat ${file}\n`)).toString();
  const m = /\npty-relay: (\d+) bytes left out \(offsets (\d+) to (\d+) of job (\d+)'s output\); fetch any range: #!output \4 \2 \3(; first line of each: #!session \S+)?\n/.exec(reply);
  expect(m).not.toBeNull();
  const [, left, from, to, job] = m as RegExpExecArray;
  expect(Number(to) - Number(from)).toBe(Number(left));
  const head = reply.slice(0, m!.index + 1);
  const tail = reply.slice(m!.index + m![0].length);
  expect(head.length + tail.length).toBeLessThanOrEqual(20_000);
  expect(text.startsWith(head)).toBe(true);
  expect(text.endsWith(tail)).toBe(true);
  expect(head.length + Number(left) + tail.length).toBe(text.length);
  const mid = (await ncBytes(`#!output ${job} 5000000 5000100\n`)).toString();
  expect(mid).toBe(text.slice(5_000_000, 5_000_100));
  const left2 = (await ncBytes(`#!limit 0\n#!output ${job} ${from} ${to}\n`)).toString();
  expect(head + left2 + tail).toBe(text);
});

it('refuses #!output for a job that does not exist', async () => {
  expect((await ncBytes('#!output 999\n')).toString()).toBe('pty-relay: error: no job 999 in session "default" (see #!jobs)\n');
});
