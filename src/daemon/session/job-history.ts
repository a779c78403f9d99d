// The exec jobs a shell session ran, newest last, for the web page's recent-commands list. A small
// stand-in for the job table: it keeps the first line of each script, when it started, how it
// ended and how long it took, bounded to the last JOB_HISTORY_MAX jobs.
import type { JobSummary } from '../../protocol/frame';

// Enough to fill a side panel many times over; each entry holds at most one short line.
export const JOB_HISTORY_MAX = 100;
// A script's first line is kept up to this many characters.
const COMMAND_CHARS = 200;

interface Entry {
  id: number;
  command: string;
  started: number; // ms since the epoch
  state: 'running' | 'done' | 'failed';
  status: number | null;
  durationMs: number | null;
}

export class JobHistory {
  private readonly entries: Entry[] = [];
  private nextId = 1;

  // Records a job that just started; returns its id.
  start(script: string, now = Date.now()): number {
    const first = script.trim().split('\n', 1)[0] ?? '';
    const entry: Entry = { id: this.nextId++, command: first.slice(0, COMMAND_CHARS), started: now, state: 'running', status: null, durationMs: null };
    this.entries.push(entry);
    if (this.entries.length > JOB_HISTORY_MAX) this.entries.shift();
    return entry.id;
  }

  // Records how job `id` ended: an exit status, or null when it failed without one.
  end(id: number, status: number | null, now = Date.now()): void {
    const e = this.entries.find((x) => x.id === id);
    if (e === undefined || e.state !== 'running') return;
    e.state = status === null ? 'failed' : 'done';
    e.status = status;
    e.durationMs = now - e.started;
  }

  // Every job kept, oldest first.
  list(): JobSummary[] {
    return this.entries.map((e) => ({ id: e.id, command: e.command, state: e.state, status: e.status, startedAt: new Date(e.started).toISOString(), durationMs: e.durationMs }));
  }
}
