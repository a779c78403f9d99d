// The PTY adapter against a real PTY: no output is lost when the program exits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { spawnPty } from '../../src/daemon/pty/pty';
import { waitFor } from '../helpers/deadline';

function run(script: string, pausedMs = 0): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const pty = spawnPty(
      { file: '/bin/bash', args: ['--norc', '--noprofile', '-c', script], cwd: '/', env: { PATH: process.env.PATH }, cols: 80, rows: 24 },
      {
        onData: (d) => chunks.push(d),
        onExit: (code) => resolve({ out: Buffer.concat(chunks).toString('latin1'), code }),
      },
    );
    if (pausedMs > 0) {
      pty.pause();
      setTimeout(() => pty.resume(), pausedMs);
    }
  });
}

it('delivers every byte of a large output before reporting the exit', async () => {
  const expected = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\r\n`).join('');
  for (let i = 0; i < 10; i++) {
    const r = await run('seq 1 200000; exit 3');
    expect(r.code).toBe(3);
    expect(r.out.length).toBe(expected.length);
    expect(r.out === expected).toBe(true);
  }
});

it('keeps output that was still unread when a paused reader outlived the exit', async () => {
  // The program's 3000 bytes fit in the kernel's PTY buffer, so it exits while we are paused.
  // node-pty on its own destroys its stream 200 ms after the exit; we stay paused for 600 ms.
  const r = await run('head -c 3000 /dev/zero | tr "\\0" x', 600);
  expect(r.out).toBe('x'.repeat(3000));
  expect(r.code).toBe(0);
});

it('reports a program killed by a signal', async () => {
  const r = await run('echo before; kill -9 $$');
  expect(r.out).toBe('before\r\n');
  expect(r.code).toBe(0);
});

it('freezes for a handover: nothing more is read or typed until thaw, and nothing is lost', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-freeze-'));
  const [trigger, printed] = [path.join(dir, 'trigger'), path.join(dir, 'printed')];
  const chunks: Buffer[] = [];
  let exited!: () => void;
  const done = new Promise<void>((resolve) => (exited = resolve));
  const script = `echo start; while [ ! -e ${trigger} ]; do sleep 0.01; done; for i in $(seq 1 40); do echo line-$i; done; touch ${printed}; read -r x; echo got-$x`;
  const pty = spawnPty(
    { file: '/bin/bash', args: ['--norc', '--noprofile', '-c', script], cwd: '/', env: { PATH: process.env.PATH }, cols: 80, rows: 24 },
    { onData: (d) => chunks.push(d), onExit: () => exited() },
  );
  const text = (): string => Buffer.concat(chunks).toString('latin1');
  await waitFor('the program to start', () => (text().includes('start') ? true : undefined));
  expect((await pty.freeze()).length).toBe(0);
  const frozenAt = text().length;
  // The program prints 40 lines while we are frozen: they wait in the kernel, unread.
  fs.writeFileSync(trigger, '');
  await waitFor('the lines to be printed', () => (fs.existsSync(printed) ? true : undefined));
  await waitFor('the program to wait for input', () => (fs.readFileSync(`/proc/${pty.pid}/wchan`, 'latin1') === 'wait_woken' ? true : undefined));
  expect(text().length).toBe(frozenAt);
  // Typed while frozen: held, not written, and handed back by the next freeze.
  pty.write('typed-while-frozen\r');
  const held = await pty.freeze();
  expect(held.toString()).toBe('typed-while-frozen\r');
  pty.thaw(held);
  await done;
  const out = text().slice(frozenAt);
  expect([...out.matchAll(/^line-(\d+)\r$/gm)].map((m) => Number(m[1]))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(out).toMatch(/^got-typed-while-frozen\r$/m);
  fs.rmSync(dir, { recursive: true, force: true });
});
