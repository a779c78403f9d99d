// The job the shell is running now: where its output goes (cleaned, or raw for `#!raw`), its
// input-wait watch, its script file, and whether it may have left the terminal's settings broken.
import { OutputCleaner } from '../clean/clean';
import type { Job } from './job';
import { InputWatch } from './input-watch';
import { runLine, takesOverTerminal } from '../shell/shell-integration';

// The running job as handed to a new daemon (upgrade/).
export interface RunningJobHandover {
  job: number;
  file: string | null;
  sawStart: boolean;
  suspect: boolean;
  unprocessed?: boolean; // its output comes with output processing off (newlines.ts)
}

export class RunningJob {
  sawStart: boolean; // the shell's `C` mark came: what follows is the job's output
  private readonly clean: OutputCleaner | null;
  private watch: InputWatch | null = null;
  // The job may leave the terminal's settings broken (it took over the screen, read the terminal,
  // or was stopped): the session restores them once it ends.
  private suspect: boolean;
  private isUnprocessed = false; // see unprocessed()

  constructor(
    readonly job: Job,
    private readonly script: { file: string | null; release: () => void }, // its script file
    private readonly shell: { pid: number; pts: string | null; fd: number },
    private readonly promptLine: (printed: boolean) => Promise<{ prompt: string; fullScreen: boolean }>,
    restored?: RunningJobHandover,
  ) {
    this.sawStart = restored?.sawStart ?? job.spec.origin === 'terminal'; // its `C` mark is what made it
    this.clean = job.spec.raw ? null : new OutputCleaner();
    if (restored?.unprocessed === true) this.unprocessed();
    this.suspect = restored?.suspect ?? (job.spec.interactive && job.spec.origin === 'exec');
    this.resumeWatch();
  }

  // The running job as handed to a new daemon. The cleaner's held partial line goes to the job's
  // store first (as when a reply ends while the job runs): the new daemon's cleaner starts afresh.
  // A journal's snapshot (`flush` false) leaves the cleaner as it is.
  handover(flush = true): RunningJobHandover {
    if (flush) this.flushHeld();
    return { job: this.job.id, file: this.script.file, sawStart: this.sawStart, suspect: this.suspect, unprocessed: this.isUnprocessed };
  }

  // The line typed into the shell (of rc `integration`) to run this exec job (runLine); null once
  // the shell accepted it (its C mark), or for a job typed in the terminal.
  typedLine(integration: number): string | null {
    const { spec } = this.job;
    if (this.sawStart || spec.origin !== 'exec') return null;
    return runLine({ stdin: spec.interactive ? 'tty' : 'null', raw: spec.raw }, integration < 2 ? (this.script.file ?? undefined) : undefined);
  }

  // Output processing is off for the rest of the job (newlines.ts): its cleaner keeps the
  // program's own line endings.
  unprocessed(): void {
    this.isUnprocessed = true;
    this.clean?.unprocessed();
  }

  // Stops watching for input waits (a handover is under way).
  suspendWatch(): void {
    this.watch?.stop();
    this.watch = null;
  }

  // Watches for input waits (again).
  resumeWatch(): void {
    const { pid, pts, fd } = this.shell;
    if (this.watch === null && pts !== null) this.watch = new InputWatch(this.job, pid, pts, fd, () => this.promptLine(this.job.printedText()));
  }

  // Raw PTY output, before marks are parsed: notices a program taking over the terminal.
  sawRaw(data: Buffer): void {
    if (!this.suspect && this.job.spec.origin === 'exec' && takesOverTerminal(data)) this.suspect = true;
  }

  // Output between the marks; returns the bytes the job's store got.
  output(data: Buffer): number {
    return this.deliver(this.clean === null ? data : this.clean.push(data));
  }

  private deliver(out: Buffer): number {
    if (out.length === 0) return 0;
    this.watch?.output();
    this.job.append(out);
    return out.length;
  }

  // Moves the partial last line the cleaner holds (a prompt, a progress bar) into the job's store,
  // for a reply that ends while the job runs on. What the program prints next follows it.
  flushHeld(): void {
    if (this.clean !== null) this.job.append(this.clean.release(), true);
  }

  // Probes now whether the job waits for terminal input.
  checkInput(): Promise<boolean> {
    return this.watch?.checkNow() ?? Promise.resolve(false);
  }

  // The job is over: flush held output, stop watching, remove the script. Returns whether the
  // terminal's settings should be restored.
  close(): boolean {
    if (this.clean !== null) this.deliver(this.clean.flush());
    this.watch?.stop();
    this.script.release();
    const j = this.job;
    return j.spec.origin === 'exec' && (this.suspect || j.killedBy !== null || j.everWaited);
  }
}
