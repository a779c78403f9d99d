// Starts the built daemon (bin/pty-relay serve) on a free port with a throwaway HOME, and stops it
// by PID. Tests read its JSON log to wait on named events.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from './deadline';

export const ROOT = path.resolve(__dirname, '../..');
export const RELAY_BIN = path.join(ROOT, 'bin/pty-relay');

export interface LogLine {
  evt?: string;
  [k: string]: unknown;
}

export interface TestDaemon {
  port: number;
  home: string;
  runtime: string; // its --runtime-dir
  proc: ChildProcess;
  logs: LogLine[];
  stderr: () => string;
  waitLog(evt: string, pred?: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  // SIGTERM; `keepDirs`: a later daemon reuses HOME and the runtime directory.
  stop(o?: { keepDirs?: boolean }): Promise<number | null>;
  // SIGKILL, as a crash: its runtime directory and HOME stay for the next daemon (reuse).
  crash(): Promise<void>;
}

export interface DaemonOptions {
  args?: string[];
  bashrc?: string;
  env?: NodeJS.ProcessEnv;
  // An earlier daemon's HOME and runtime directory: a daemon started after a crash finds its sessions.
  reuse?: { home: string; runtime: string };
  // A fixed port (an earlier daemon's, so that its clients find the next one); 0 picks a free one.
  port?: number;
  // The script to run instead of bin/pty-relay (a copy of the build with a holder that waits).
  bin?: string;
}

// Makes a fresh HOME so the user's own ~/.bashrc neither slows nor changes the tests.
export function makeHome(bashrc = ''): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-home-'));
  fs.writeFileSync(path.join(home, '.bashrc'), bashrc);
  return home;
}

// Collects a daemon's JSON log lines (stdout) and its stderr as they arrive.
export function collectLogs(proc: ChildProcess): { logs: LogLine[]; stderr: () => string } {
  const logs: LogLine[] = [];
  let partial = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => {
    partial += d.toString();
    let nl: number;
    while ((nl = partial.indexOf('\n')) !== -1) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ evt: 'unparsed', line });
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { logs, stderr: () => err };
}

export async function startDaemon(opts: DaemonOptions = {}): Promise<TestDaemon> {
  const home = opts.reuse?.home ?? makeHome(opts.bashrc);
  const runtime = opts.reuse?.runtime ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-rt-'));
  const proc = spawn(process.execPath, [opts.bin ?? RELAY_BIN, 'serve', '--port', String(opts.port ?? 0), '--log-level', 'debug', '--runtime-dir', runtime, ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: home, USER: os.userInfo().username, LANG: 'C.UTF-8', ...opts.env },
    cwd: home,
  });
  const { logs, stderr } = collectLogs(proc);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const waitLog = (evt: string, pred: (l: LogLine) => boolean = () => true, ms = 15_000): Promise<LogLine> =>
    waitFor(`log event ${evt}`, () => {
      if (proc.exitCode !== null) throw new Error(`daemon exited (${proc.exitCode}): ${stderr()}`);
      return logs.find((l) => l.evt === evt && pred(l));
    }, ms);
  const listening = await waitLog('server.listening');
  return {
    port: listening.port as number,
    home,
    runtime,
    proc,
    logs,
    stderr,
    waitLog,
    async crash() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop(o = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await exited;
      if (o.keepDirs !== true) {
        fs.rmSync(home, { recursive: true, force: true });
        fs.rmSync(runtime, { recursive: true, force: true });
      }
      // The daemon survives its own bugs (it logs them and keeps serving); the tests must not.
      const bug = logs.find((l) => l.evt === 'daemon.uncaught_exception');
      if (bug !== undefined) throw new Error(`the daemon hit an uncaught exception: ${JSON.stringify(bug.err)}`);
      return code;
    },
  };
}
