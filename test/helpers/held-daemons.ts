// Daemons whose sessions live in holders: tracks the daemons a test starts and, after it, stops the
// last of them (which ends every session, and so every holder) and ends by PID any holder a failed
// test left without a daemon (holders run in the test's runtime directory).
import * as fs from 'node:fs';
import { startDaemon, type DaemonOptions, type TestDaemon } from './daemon';

export class HeldDaemons {
  private readonly started: TestDaemon[] = [];

  async start(opts: DaemonOptions = {}): Promise<TestDaemon> {
    const d = await startDaemon(opts);
    this.started.push(d);
    return d;
  }

  // For afterEach.
  async cleanup(): Promise<void> {
    const runtimes = new Set(this.started.map((d) => d.runtime));
    for (const d of this.started.splice(0).reverse()) if (d.proc.exitCode === null && d.proc.signalCode === null) await d.stop();
    for (const pid of holderPids([...runtimes])) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    for (const r of runtimes) fs.rmSync(r, { recursive: true, force: true });
  }
}

// PIDs of the holder processes whose cwd (their session directory) is under one of `runtimes`.
export function holderPids(runtimes: string[]): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('pty-relay-holder') && runtimes.some((r) => cwd.startsWith(r))) out.push(Number(pid));
    } catch {
      // gone, or not ours to look at
    }
  }
  return out;
}
