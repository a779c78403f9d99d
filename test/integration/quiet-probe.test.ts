// The polling behind "waiting for input" (src/daemon/jobs/quiet-probe.ts) against a real PTY and
// bash: a shell blocked reading its terminal is found, but never while its output is recent.
import { expect, it } from 'vitest';
import { spawnPty } from '../../src/daemon/pty/pty';
import { QuietProbe } from '../../src/daemon/jobs/quiet-probe';
import { waitFor } from '../helpers/deadline';

// quiet-probe.ts's rule: output this recent means the program works.
const QUIET_MS = 250;

it('finds a shell reading its terminal, only once its output has been quiet', async () => {
  // The shell reads its terminal at once, while a background loop prints for a second or more.
  const script = 'for i in $(seq 20); do echo tick; sleep 0.05; done & read -r x; wait; echo "got-$x"';
  let out = '';
  let lastOutput = Date.now();
  let exited = false;
  let probe: QuietProbe | null = null;
  const found: Array<{ quiet: boolean; quietMs: number }> = [];
  const pty = spawnPty(
    { file: '/bin/bash', args: ['--norc', '--noprofile', '-c', script], cwd: '/', env: { PATH: process.env.PATH }, cols: 80, rows: 24 },
    {
      onData: (d) => {
        out += d.toString('latin1');
        lastOutput = Date.now();
        probe?.output();
      },
      onExit: () => void (exited = true),
    },
  );
  try {
    probe = new QuietProbe({ pid: pty.pid, pts: pty.pts as string, masterFd: pty.fd, promptLine: async () => ({ prompt: '', fullScreen: false }) }, {
      watching: () => !exited,
      reported: () => found.some((f) => f.quiet),
      ended: () => undefined,
      found: (_wait, quiet) => void found.push({ quiet, quietMs: Date.now() - lastOutput }),
    });
    await waitFor('the input wait', () => found.find((f) => f.quiet));
    // Whenever it was found (a loaded machine may pause the loop long enough), the output was quiet.
    for (const f of found.filter((x) => x.quiet)) expect(f.quietMs).toBeGreaterThanOrEqual(QUIET_MS);
    await waitFor('all ticks', () => (out.split('tick').length - 1 === 20 ? true : undefined));
    pty.write('yes\r');
    await waitFor('the answer', () => (/got-yes/.test(out) ? true : undefined));
    await waitFor('the exit', () => (exited ? true : undefined));
  } finally {
    probe?.stop();
    if (!exited) pty.kill('SIGKILL');
  }
});
