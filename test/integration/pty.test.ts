// The PTY adapter against a real PTY: no output is lost when the program exits.
import { expect, it } from 'vitest';
import { spawnPty } from '../../src/daemon/session/pty';

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
