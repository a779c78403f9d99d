// The job runner's (job-runner.ts) types: its states, what it needs from its session, and what it
// hands a new daemon.
import type { Logger } from '../../log';
import type { FileOwner } from '../base/runtime-dir';
import type { NewlinesHandover } from '../shell/newlines';
import type { Shell } from '../shell/shell';
import type { JobHandover } from './job';
import type { JobEvents } from './job-events';
import type { RunningJobHandover } from './running-job';

export type RunnerState = 'idle' | 'running' | 'finishing' | 'repairing' | 'human';

export interface BusyInfo {
  what: string; // a one-line preview of the command, or "a command typed in the terminal"
  since: Date;
  job: number | null;
  queued?: number; // nothing runs: this many requests wait for the shell (it is starting, or busy between them)
}

// What the runner needs from its session.
export interface RunnerHost {
  readonly dir: string; // private directory for the script file
  readonly owner: FileOwner | null; // who the script file belongs to (a root daemon's sandbox user); null: the daemon
  readonly events: JobEvents;
  sawText(data: Buffer, counts: boolean): void; // output outside marks; false: our own typing's echo
  readonly log: Logger;
  shell(): Shell | null;
  pace(paused: boolean): void; // pause or resume PTY reads for a lagging exec reader
  output(data: Buffer): void; // bytes drawn for attached terminals only (a terminal reset)
  promptLine(printed: boolean): Promise<{ prompt: string; fullScreen: boolean }>; // printed: see promptOf
}

// The runner as handed to a new daemon (upgrade/).
export interface RunnerHandover {
  state: RunnerState;
  endNotice: string | null;
  repairPending: boolean;
  queue: number[]; // job numbers, in order
  current: RunningJobHandover | null;
  newlines?: NewlinesHandover;
  table: { next: number; jobs: JobHandover[] };
}
