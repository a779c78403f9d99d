// Sessions survive a daemon that dies half-way through leaving: stopped with SIGTERM under
// --keep-sessions and SIGKILLed while its shutdown hangs on a client that never reads, or an
// upgrade whose new process is killed after it took the holders over. Either the old daemon keeps
// the sessions, or a daemon started afterwards adopts them from their holders; a job's output is
// delivered exactly once either way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { nc, RawClient } from '../helpers/clients';
import { waitFor, deadline } from '../helpers/deadline';
import { HeldDaemons } from '../helpers/held-daemons';
import type { TestDaemon } from '../helpers/daemon';
import { relayUpgrade } from '../helpers/upgrade';

const daemons = new HeldDaemons();
afterEach(() => daemons.cleanup());

const ticks = (text: string): number[] => [...text.matchAll(/^tick(\d+)$/gm)].map((m) => Number(m[1]));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const lines = (file: string): number => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').length - 1 : 0);
const stateOf = (pid: number): string => fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0] ?? '?';

// A shell with state and a ticker job (40 lines, 100 ms apart, counted in a file) that outlives its
// first reply; resolves once the reply reached its client.
async function withTicker(d: TestDaemon): Promise<{ shell: string; first: string; count: string }> {
  const shell = (await nc(d.port, 'cd /tmp && export KEEP=kept && echo $$\n')).stdout.trim();
  const count = path.join(d.home, 'count');
  const first = (await nc(d.port, `#!timeout 1\nfor i in $(seq 1 40); do echo tick$i; echo >> ${count}; sleep 0.1; done; exit 3\n`)).stdout;
  expect(first).toMatch(/pty-relay: still running as job 2 /);
  await d.waitLog('exec.done', (l) => l.job === 2);
  return { shell, first, count };
}

// The job's every tick once, its status, and the same shell with its state.
async function expectWhole(d: TestDaemon, t: { shell: string; first: string }): Promise<void> {
  const rest = (await nc(d.port, '#!wait 2\n', 30_000)).stdout;
  expect(ticks(t.first + rest)).toEqual(range(40));
  expect(rest).toMatch(/pty-relay: exit status 3\n$/);
  expect((await nc(d.port, 'echo $$ $PWD $KEEP\n')).stdout).toBe(`${t.shell} /tmp kept\n`);
}

it('SIGTERM with --keep-sessions, then SIGKILL while the shutdown hangs: the next daemon adopts the sessions', async () => {
  const d1 = await daemons.start({ args: ['--keep-sessions'] });
  const t = await withTicker(d1);
  // A client that sent half a request and never reads nor closes: the shutdown waits for it.
  const accepted = d1.logs.filter((l) => l.evt === 'conn.accepted').length;
  const stuck = new RawClient(d1.port);
  stuck.socket.pause();
  stuck.send('echo never-finish');
  await waitFor('the daemon to accept it', () => (d1.logs.filter((l) => l.evt === 'conn.accepted').length > accepted ? true : undefined));
  d1.proc.kill('SIGTERM');
  await d1.waitLog('daemon.shutdown');
  // Whoever stops it runs out of patience: SIGKILL while it is still shutting down.
  expect(d1.proc.exitCode).toBe(null);
  await d1.crash();
  expect(d1.proc.signalCode).toBe('SIGKILL');
  stuck.socket.destroy();
  const atKill = lines(t.count);
  await waitFor('the job to go on without a daemon', () => (lines(t.count) >= Math.min(40, atKill + 3) ? true : undefined), 20_000);
  const d2 = await daemons.start({ reuse: { home: d1.home, runtime: d1.runtime } });
  await d2.waitLog('session.recovered', (l) => l.session === 'default' && l.shell === true);
  await expectWhole(d2, t);
});

it('an upgrade whose new process is killed after it took the holders over: the old daemon keeps the sessions', async () => {
  const d1 = await daemons.start({ env: { PTY_RELAY_TEST_HANDOVER_PAUSE: 'relinked' } });
  const t = await withTicker(d1);
  const r = relayUpgrade(d1.port);
  const adopting = await d1.waitLog('upgrade.adopting', (l) => l.pid !== d1.proc.pid);
  const newPid = adopting.pid as number;
  await waitFor('the new process to stop itself', () => (stateOf(newPid) === 'T' ? true : undefined), 30_000);
  process.kill(newPid, 'SIGKILL');
  const reply = await r;
  expect(reply.code).toBe(255);
  expect(reply.stderr).toContain(`the new daemon (pid ${newPid}) was killed by SIGKILL`);
  await d1.waitLog('upgrade.rolled_back');
  await expectWhole(d1, t);
}, deadline(60_000));
