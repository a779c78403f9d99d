// What a watcher (pty-client in tmux) sees when the daemon changes hands in the middle of an exec
// job: at an upgrade's handover and at a crash's adoption (issue 26). The job's typed line is
// swapped for `[agent] CMD` only while the daemon holds the display until the shell accepts it
// (echo-swap.ts); a new daemon that takes a job over before that moment holds it again. The
// shell is stopped (SIGSTOP) from before the line is typed until after the handover, so the
// echo comes to the new daemon every time: the window is ~1 ms on its own.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { Tmux } from '../helpers/tmux';
import { install, relayUpgrade, startLive, type LiveDaemon } from '../helpers/upgrade';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const BASHRC = "PS1='dev@vm:\\w$ '\n";
const JOB = 'sleep 2; echo done-$((6*7))';
const SHOWN = /\$ \[agent\] sleep 2; echo done-\$\(\(6\*7\)\)\n(.*\n)*done-42\n/;
let tmux: Tmux | undefined;
let stopped: number | null = null;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  if (stopped !== null) process.kill(stopped, 'SIGCONT');
  stopped = null;
  tmux?.kill();
  tmux = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function running(port: number, session: string): Promise<void> {
  await waitFor('the job to be typed', async () => {
    const r = await run([process.execPath, RELAY_BIN, 'ls', '--json', '--port', String(port)], '');
    const a = (JSON.parse(r.stdout) as Array<{ name: string; activity?: { command: string; state: string } | null }>).find((s) => s.name === session)?.activity;
    // (A stopped shell sits in its terminal read: the job reads as waiting for input.)
    return a?.command === JOB && (a.state === 'running' || a.state === 'waiting for input') ? true : undefined;
  });
}

// Attaches a read-only watcher (tmux window `name`) to `session` and returns the file its output is
// copied to. Its prompt after `after` means the shell is idle (the prompt follows the A mark), so
// a job sent next is typed at once.
async function watch(name: string, port: number, session: string, home: string, after = /^/): Promise<string> {
  tmux ??= new Tmux();
  tmux.start(name, [process.execPath, CLIENT_BIN, '--port', String(port), '--read-only', session], { HOME: home, LANG: 'C.UTF-8' });
  await tmux.waitScreen(name, new RegExp(`${after.source}(.*\\n)*.*\\$ *$`, 'm'));
  return tmux.pipeTo(name);
}

async function seen(log: string): Promise<void> {
  const screen = await (tmux as Tmux).waitScreen('w', SHOWN, 30_000);
  expect(screen).not.toContain('__pr_');
  expect(screen.match(/done-42/g)).toHaveLength(1);
  await waitFor('the pane log', () => (fs.readFileSync(log, 'latin1').includes('done-42') ? true : undefined));
  expect(fs.readFileSync(log, 'latin1')).not.toContain('__pr_');
}

it('an upgrade before the shell accepted the line: the watcher sees [agent] CMD, its output once, no __pr_', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-wh-'));
  const d: LiveDaemon = await startLive([process.execPath, install(dir, path.join(ROOT, 'dist'))], { bashrc: BASHRC });
  cleanups.push(async () => {
    await d.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const shell = Number((await nc(d.port, '#!session w\necho $$\n')).stdout.trim());
  const log = await watch('w', d.port, 'w', d.home, new RegExp(`^${shell}$`));
  process.kill(shell, 'SIGSTOP');
  stopped = shell;
  const reply = nc(d.port, `#!session w\n${JOB}\n`, 60_000);
  await running(d.port, 'w');
  const r = await relayUpgrade(d.port);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  process.kill(shell, 'SIGCONT');
  stopped = null;
  await reply;
  await seen(log);
});

it('a crash before the shell accepted the line: a watcher of the next daemon sees [agent] CMD, no __pr_', async () => {
  const d1: TestDaemon = await startDaemon({ bashrc: BASHRC });
  let last = d1;
  cleanups.push(() => last.stop());
  const shell = Number((await nc(d1.port, '#!session w\necho $$\n')).stdout.trim());
  await watch('w1', d1.port, 'w', d1.home, new RegExp(`^${shell}$`));
  process.kill(shell, 'SIGSTOP');
  stopped = shell;
  void nc(d1.port, `#!session w\n${JOB}\n`, 60_000).catch(() => undefined);
  await running(d1.port, 'w');
  await d1.crash();
  const d2 = await startDaemon({ reuse: { home: d1.home, runtime: d1.runtime } });
  last = d2;
  const log = await watch('w', d2.port, 'w', d2.home);
  process.kill(shell, 'SIGCONT');
  stopped = null;
  await seen(log);
});
