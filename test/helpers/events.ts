// A `pty-relay events --json` (or `notify`) process from the built artefact, whose lines the test
// reads as they come; stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import type { RelayEvent } from '../../src/protocol/events';
import { RELAY_BIN, type TestDaemon } from './daemon';
import { waitFor } from './deadline';

export interface EventReader {
  proc: ChildProcess;
  events: RelayEvent[];
  stdout: () => string;
  stderr: () => string;
  waitEvent(what: string, pred: (e: RelayEvent) => boolean, ms?: number): Promise<RelayEvent>;
  stop(): Promise<void>;
}

// Starts `pty-relay SUB --port P ...args` and resolves once the daemon has it subscribed.
export async function startReader(d: TestDaemon, sub: 'events' | 'notify', args: string[], env: NodeJS.ProcessEnv = {}): Promise<EventReader> {
  const before = d.logs.filter((l) => l.evt === 'events.subscribed').length;
  const proc = spawn(process.execPath, [RELAY_BIN, sub, '--port', String(d.port), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHLVL: '1', ...env } });
  let out = '';
  let err = '';
  const events: RelayEvent[] = [];
  proc.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    if (sub !== 'events' || !args.includes('--json')) return;
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const l of lines) events.push(JSON.parse(l) as RelayEvent);
  });
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await waitFor('the reader subscribed', () => (d.logs.filter((l) => l.evt === 'events.subscribed').length > before ? true : proc.exitCode !== null ? Promise.reject(new Error(err)) : undefined));
  return {
    proc,
    events,
    stdout: () => out,
    stderr: () => err,
    waitEvent: (what, pred, ms = 15_000) => waitFor(what, () => events.find(pred), ms),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
