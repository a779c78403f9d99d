// The built daemon run by another local user (made by the test with useradd), through runuser: the
// cross-user tests, and the ones that need a daemon that is not root (a sudo prompt it cannot read
// in /proc, a sandbox without cgroups). Stopped by PID; the caller owns the user and its HOME.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { collectLogs, RELAY_BIN, type LogLine } from './daemon';
import { waitFor } from './deadline';

export interface DaemonAs {
  port: number;
  proc: ChildProcess;
  logs: LogLine[];
  stderr: () => string;
  // SIGTERM, then waits for the exit (a daemon that already exited is left as it is).
  stop(): Promise<void>;
}

export interface DaemonAsOptions {
  home: string; // its HOME and working directory (the user's own, 0700)
  runtime?: string; // its --runtime-dir; HOME/rt by default
  args?: string[]; // more `serve` arguments
  env?: Record<string, string>; // added to PATH, HOME and LANG
}

// Starts `pty-relay serve --port 0` as `user` and waits until it listens. runuser sets HOME from
// the user's passwd entry: `env` sets ours after it.
export async function startDaemonAs(user: string, o: DaemonAsOptions): Promise<DaemonAs> {
  const runtime = o.runtime ?? path.join(o.home, 'rt');
  const argv = ['-u', user, '--', 'env', `HOME=${o.home}`, process.execPath, RELAY_BIN, 'serve', '--port', '0', '--runtime-dir', runtime, ...(o.args ?? [])];
  const proc = spawn('runuser', argv, {
    env: { PATH: process.env.PATH, HOME: o.home, LANG: 'C.UTF-8', ...o.env },
    cwd: o.home,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, stderr } = collectLogs(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  const listening = await waitFor('the daemon to listen', () => {
    if (proc.exitCode !== null) throw new Error(`daemon exited (${proc.exitCode}): ${stderr()}`);
    return logs.find((l) => l.evt === 'server.listening');
  }, 15_000).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { port: listening.port as number, proc, logs, stderr, stop };
}
