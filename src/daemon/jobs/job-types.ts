// The shapes around a job (job.ts): its states and origin, how it ends, what an input wait is, its
// spec, and the job as handed to a new daemon.
export type JobState = 'queued' | 'running' | 'input' | 'done' | 'killed' | 'failed';
export type JobOrigin = 'exec' | 'terminal';

// How a job ended.
export type JobEnd =
  | { kind: 'exit'; status: number }
  | { kind: 'shell-exit'; status: number | null; message: string } // null: unknown
  | { kind: 'failed'; message: string };

// What the input-wait detector saw: the job's foreground program blocked reading the terminal.
export interface InputWait {
  prompt: string; // the cursor's line on the screen, trimmed
  echoOff: boolean; // the terminal does not echo (a password prompt)
  fullScreen: boolean; // the program uses the alternate screen (vim, less, top)
}

export interface JobSpec {
  command: string; // the script, or a description for a job typed in the terminal
  origin: JobOrigin;
  interactive: boolean; // stdin is the terminal, not /dev/null
  raw: boolean; // output kept byte-exact instead of cleaned
}

// A job as handed to a new daemon (upgrade/): everything but its readers.
export interface JobHandover {
  id: number;
  spec: JobSpec;
  queuedAt: number; // ms since the epoch, like the other times
  startedAt: number | null;
  endedAt: number | null;
  state: JobState;
  status: number | null;
  endMessage: string | null;
  killedBy: string | null;
  waiting: InputWait | null;
  everWaited: boolean;
  delivered: number;
  startNotice: string | null;
  endTold?: boolean; // absent in an earlier release's handover: taken as told
  capacity: number;
  output: { head: number; data: Buffer } | null; // null: released by the budget
  dropped: number;
}
