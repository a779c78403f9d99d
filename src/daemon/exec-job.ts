// An exec request as a session sees it: the script, where its output goes, how it ended.

// How a job ended.
export type JobEnd =
  | { kind: 'exit'; status: number }
  | { kind: 'shell-exit'; status: number; message: string }
  | { kind: 'failed'; message: string };

export interface ExecJob {
  readonly script: string;
  // The shell took the job; `notice` says that a previous shell had ended, when it did.
  onStart(notice: string | null): void;
  // Output as clean text (exec/clean.ts). Returns false to ask for backpressure (see resumeOutput).
  onOutput(data: Buffer): boolean;
  onEnd(end: JobEnd): void;
}

export interface BusyInfo {
  what: string; // a one-line preview of the command, or "a command typed in the terminal"
  since: Date;
}

// The first line of a script, for "busy running …" messages.
export function preview(script: string): string {
  const first = script.trim().split('\n', 1)[0] ?? '';
  const lines = script.trim().split('\n').length;
  const short = first.length > 60 ? `${first.slice(0, 57)}...` : first;
  return lines > 1 ? `${short} (+${lines - 1} lines)` : short;
}

// A job whose client is gone: the command runs on, its output goes nowhere.
export function detachedJob(script: string): ExecJob {
  return { script, onStart: () => undefined, onOutput: () => true, onEnd: () => undefined };
}
