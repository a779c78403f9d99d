// The polling that finds "waiting for terminal input" (see jobs/input-wait.ts for what counts), for
// a job's watch (input-watch.ts) and a program session's (program-wait.ts): every POLL_MS, once the
// output has been quiet for QUIET_MS, probe the terminal's foreground (input-probe.ts); two probes
// in a row make a wait, so a program that reads the terminal for a moment while it works is not
// reported. Its owner says when to probe and what a wait, or its end, means.
import { passwordMode, probeInputWait } from './input-probe';
import type { InputWait } from './job';

// Probing costs a few /proc reads; 150 ms keeps the report well under a second after the prompt.
const POLL_MS = 150;
// Output this recent means the program is working, whatever it is blocked in right now (a spinner).
const QUIET_MS = 250;

// Where to look: the foreground of the terminal `pts` whose session leader is `pid`; `masterFd`
// reads its modes without starting stty (null: no addon, or not ours).
export interface ProbeTarget {
  pid: number;
  pts: string;
  masterFd: number | null;
  promptLine(): Promise<{ prompt: string; fullScreen: boolean }>;
}

// The owner's side of the watch.
export interface WaitOwner {
  watching(): boolean; // probe now at all (the job is live; a wait would be news)
  reported(): boolean; // a wait is already told: probe only for its end
  ended(): void; // a probe found no wait
  // Two probes in a row found one; `quiet`: no output came while its prompt was read.
  found(wait: InputWait, quiet: boolean): void;
}

export class QuietProbe {
  private timer: NodeJS.Timeout | null = null;
  private lastOutput = Date.now();
  private hits = 0;
  private judging = false;

  constructor(
    private readonly target: ProbeTarget,
    private readonly owner: WaitOwner,
  ) {
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
  }

  get stopped(): boolean {
    return this.timer === null;
  }

  // The program printed: it works, so the count of probes starts again.
  output(): void {
    this.lastOutput = Date.now();
    this.hits = 0;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  // One probe, now, outside the rhythm: is the foreground reading the terminal?
  probe(): boolean {
    return probeInputWait(this.target.pid, this.target.pts, this.target.masterFd);
  }

  // Reads the wait's prompt line and whether it hides typing; no probe runs meanwhile.
  async judge(): Promise<InputWait> {
    this.judging = true;
    try {
      const [hidden, line] = await Promise.all([passwordMode(this.target.pts, this.target.masterFd), this.target.promptLine()]);
      return { ...line, echoOff: hidden === true && !line.fullScreen };
    } finally {
      this.judging = false;
    }
  }

  private tick(): void {
    if (this.judging || !this.owner.watching()) return;
    if (Date.now() - this.lastOutput < QUIET_MS) return;
    if (!this.probe()) {
      this.hits = 0;
      this.owner.ended();
      return;
    }
    if (++this.hits < 2 || this.owner.reported()) return;
    void this.judge().then((wait) => this.owner.found(wait, this.hits >= 2));
  }
}
