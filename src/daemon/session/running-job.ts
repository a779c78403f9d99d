// The job the shell is running now: where its output goes (cleaned, or raw for `#!raw`), its
// input-wait watch, its script file, and whether it may have left the terminal's settings broken.
import * as fs from 'node:fs';
import { CrlfToLf } from '../exec/crlf';
import type { Job } from '../jobs/job';
import { InputWatch } from './input-watch';
import { takesOverTerminal } from './shell-integration';

// The running job as handed to a new daemon (upgrade/).
export interface RunningJobHandover {
  job: number;
  file: string | null;
  sawStart: boolean;
  heldCr: boolean;
  suspect: boolean;
}

export class RunningJob {
  sawStart: boolean; // the shell's `C` mark came: what follows is the job's output
  private readonly clean: CrlfToLf | null;
  private watch: InputWatch | null = null;
  // The job may leave the terminal's settings broken (it took over the screen, read the terminal,
  // or was stopped): the session restores them once it ends.
  private suspect: boolean;

  constructor(
    readonly job: Job,
    private readonly file: string | null,
    private readonly shell: { pid: number; pts: string | null },
    private readonly promptLine: () => Promise<{ prompt: string; fullScreen: boolean }>,
    restored?: RunningJobHandover,
  ) {
    this.sawStart = restored?.sawStart ?? job.spec.origin === 'terminal'; // its `C` mark is what made it
    this.clean = job.spec.raw ? null : new CrlfToLf(restored?.heldCr);
    this.suspect = restored?.suspect ?? (job.spec.interactive && job.spec.origin === 'exec');
    this.resumeWatch();
  }

  // The running job as handed to a new daemon.
  handover(): RunningJobHandover {
    return { job: this.job.id, file: this.file, sawStart: this.sawStart, heldCr: this.clean?.holding ?? false, suspect: this.suspect };
  }

  // Stops watching for input waits (a handover is under way).
  suspendWatch(): void {
    this.watch?.stop();
    this.watch = null;
  }

  // Watches for input waits (again).
  resumeWatch(): void {
    const { pid, pts } = this.shell;
    if (this.watch === null && pts !== null) this.watch = new InputWatch(this.job, pid, pts, this.promptLine);
  }

  // Raw PTY output, before marks are parsed: notices a program taking over the terminal.
  sawRaw(data: Buffer): void {
    if (!this.suspect && this.job.spec.origin === 'exec' && takesOverTerminal(data)) this.suspect = true;
  }

  // Output between the marks; returns the bytes the job's store got.
  output(data: Buffer): number {
    const out = this.clean === null ? data : this.clean.push(data);
    if (out.length === 0) return 0;
    this.watch?.output();
    this.job.append(out);
    return out.length;
  }

  // Probes now whether the job waits for terminal input.
  checkInput(): Promise<boolean> {
    return this.watch?.checkNow() ?? Promise.resolve(false);
  }

  // The job is over: flush held output, stop watching, remove the script. Returns whether the
  // terminal's settings should be restored.
  close(): boolean {
    if (this.clean !== null) this.output(this.clean.flush());
    this.watch?.stop();
    if (this.file !== null) fs.rm(this.file, { force: true }, () => undefined);
    const j = this.job;
    return j.spec.origin === 'exec' && (this.suspect || j.killedBy !== null || j.everWaited);
  }
}
