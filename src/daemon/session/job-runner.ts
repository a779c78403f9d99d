// The jobs side of a shell session: the queue in front of the shell, the job it runs now, and the
// transitions the shell's marks drive (C: output starts, D: it ended, A: the prompt is back). A job
// typed by a person in the terminal becomes a job too, when its C mark arrives at an idle shell.
import * as path from 'node:path';
import type { Logger } from '../../log';
import { preview, type Job, type JobEnd, type JobHandover, type JobSpec } from '../jobs/job';
import { JobTable } from '../jobs/job-table';
import type { MarkEvent } from './marks';
import { RunningJob, type RunningJobHandover } from './running-job';
import { repairLine, runLine, TERMINAL_RESET } from './shell-integration';
import type { Shell } from './shell';
import { writePrivateFile } from '../server/runtime-dir';

export type RunnerState = 'idle' | 'running' | 'finishing' | 'repairing' | 'human';

export interface BusyInfo {
  what: string; // a one-line preview of the command, or "a command typed in the terminal"
  since: Date;
  job: number | null;
}

// What the runner needs from its session.
export interface RunnerHost {
  readonly dir: string; // private directory for script files
  readonly log: Logger;
  shell(): Shell | null;
  pace(paused: boolean): void; // pause or resume PTY reads for a lagging exec reader
  output(data: Buffer): void; // bytes drawn for attached terminals only (a terminal reset)
  promptLine(): Promise<{ prompt: string; fullScreen: boolean }>;
}

// The runner as handed to a new daemon (upgrade/).
export interface RunnerHandover {
  state: RunnerState;
  endNotice: string | null;
  repairPending: boolean;
  queue: number[]; // job numbers, in order
  current: RunningJobHandover | null;
  table: { next: number; jobs: JobHandover[] };
}

// A pacing exec reader this far behind pauses the PTY; it resumes once the reader is within half.
const PAUSE_LAG_BYTES = 1024 * 1024;
export const TERMINAL_JOB = 'a command typed in the terminal';

let fileCounter = 0;

export class JobRunner {
  readonly jobs = new JobTable();
  state: RunnerState = 'idle';
  endNotice: string | null = null; // told to the next job: the previous shell ended
  private queue: Job[] = [];
  private current: RunningJob | null = null;
  private repairPending = false;

  constructor(private readonly host: RunnerHost) {}

  // Queues a new job; it runs when the shell is idle and every job queued before it has run.
  enqueue(spec: JobSpec): Job {
    const job = this.jobs.create(spec);
    this.queue.push(job);
    this.pump();
    return job;
  }

  // Removes a job that has not started yet. Returns false when it is already running or done.
  cancel(job: Job): boolean {
    const i = this.queue.indexOf(job);
    if (i === -1) return false;
    this.queue.splice(i, 1);
    job.end({ kind: 'failed', message: 'cancelled before it started' });
    return true;
  }

  foreground(): Job | null {
    return this.current?.job ?? null;
  }

  queued(): number {
    return this.queue.length;
  }

  // What the shell is busy with, or null when a new job would start at once.
  busy(): BusyInfo | null {
    const cur = this.current;
    if (cur !== null) return { what: preview(cur.job.command), since: cur.job.startedAt ?? cur.job.queuedAt, job: cur.job.id };
    if (this.queue.length > 0) return { what: `${this.queue.length} queued request(s)`, since: new Date(), job: null };
    return null;
  }

  // See RunningJob.flushHeld.
  flushHeld(job: Job): void {
    if (this.current?.job === job) this.current.flushHeld();
  }

  checkInput(): Promise<boolean> {
    return this.current?.checkInput() ?? Promise.resolve(false);
  }

  // The runner as handed to a new daemon (call while the session is frozen).
  handover(): RunnerHandover {
    const { state, endNotice, repairPending } = this;
    return { state, endNotice, repairPending, queue: this.queue.map((j) => j.id), current: this.current?.handover() ?? null, table: this.jobs.handover() };
  }

  // Takes over what an earlier daemon's runner handed over; the shell is already adopted.
  restore(h: RunnerHandover): void {
    this.jobs.restore(h.table);
    this.state = h.state;
    this.endNotice = h.endNotice;
    this.repairPending = h.repairPending;
    this.queue = h.queue.map((id) => this.jobs.get(id)).filter((j): j is Job => j !== undefined);
    const job = h.current === null ? undefined : this.jobs.get(h.current.job);
    const shell = this.host.shell();
    if (h.current !== null && job !== undefined && shell !== null) this.track(new RunningJob(job, h.current.file, shell.pty, () => this.host.promptLine(), h.current), false);
    this.suspend();
  }

  // A handover is under way: no timers look at the shell until resume().
  suspend(): void {
    this.current?.suspendWatch();
    this.host.shell()?.watchReplaced(null);
  }

  // The session is live (again): watch the running job, or start the next queued one.
  resume(): void {
    if (this.current !== null) {
      this.current.resumeWatch();
      this.host.shell()?.watchReplaced((cmd) => this.onReplaced(cmd));
    } else this.pump();
  }

  // Raw PTY output (before marks are parsed).
  sawRaw(data: Buffer): void {
    this.current?.sawRaw(data);
  }

  // Output and marks from the shell.
  onEvent(ev: MarkEvent): void {
    const cur = this.current;
    if (ev.type === 'data') {
      if (cur !== null && cur.sawStart && cur.output(ev.data) > 0 && cur.job.lag() > PAUSE_LAG_BYTES) this.host.pace(true);
      return;
    }
    if (ev.kind === 'C') {
      if (cur !== null && !cur.sawStart) cur.sawStart = true;
      else if (cur === null && this.state === 'idle') this.begin(this.jobs.create({ command: TERMINAL_JOB, origin: 'terminal', interactive: true, raw: false }), null, 'human');
    } else if (ev.kind === 'D') {
      if (cur !== null && cur.sawStart) this.finish({ kind: 'exit', status: ev.status });
    } else this.onPrompt();
  }

  // Ends the running job (the shell died, was replaced, or the session closes).
  finish(end: JobEnd): void {
    const cur = this.current;
    if (cur === null) return;
    if (cur.close()) this.repairPending = true;
    const job = cur.job;
    if (job.killedBy === 'SIGKILL' && job.spec.origin === 'exec') this.host.output(Buffer.from(TERMINAL_RESET));
    job.onPaced = null;
    this.host.pace(false);
    this.current = null;
    this.host.shell()?.watchReplaced(null);
    if (end.kind === 'exit') this.state = 'finishing';
    job.end(end);
    this.jobs.trim();
  }

  // Ends every job still waiting in the queue with `message`.
  failQueued(message: string): void {
    for (const job of this.queue.splice(0)) job.end({ kind: 'failed', message });
  }

  // The shell is gone: a new one starts idle.
  reset(): void {
    this.state = 'idle';
    this.repairPending = false;
  }

  // The prompt is back: restore the terminal if the last job may have broken it, else run the next job.
  onPrompt(): void {
    const shell = this.host.shell();
    if (this.current !== null || shell === null) return; // a prompt while ours runs: a nested shell
    if (this.repairPending) {
      this.repairPending = false;
      this.state = 'repairing';
      shell.pty.write(repairLine());
      return;
    }
    this.state = 'idle';
    this.pump();
  }

  private pump(): void {
    const shell = this.host.shell();
    if (this.state !== 'idle' || shell === null || !shell.isReady) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    const file = path.join(this.host.dir, `x-${process.pid}-${++fileCounter}.sh`);
    try {
      writePrivateFile(file, job.command);
    } catch (err) {
      job.end({ kind: 'failed', message: `cannot write the script file: ${(err as Error).message}` });
      this.pump();
      return;
    }
    job.startNotice = this.endNotice;
    this.endNotice = null;
    this.begin(job, file, 'running');
    shell.pty.write(runLine(file, { stdin: job.spec.interactive ? 'tty' : 'null', raw: job.spec.raw }));
  }

  // Makes `job` the running one. Its output is captured from the next C mark (at once for a command
  // typed in the terminal, whose C mark was just seen).
  private begin(job: Job, file: string | null, state: 'running' | 'human'): void {
    const shell = this.host.shell() as Shell;
    this.state = state;
    this.track(new RunningJob(job, file, shell.pty, () => this.host.promptLine()), true);
  }

  // Makes `running` the current job; `start` for a job starting now (not one handed over).
  private track(running: RunningJob, start: boolean): void {
    const job = running.job;
    this.current = running;
    job.onPaced = () => {
      if (this.current?.job === job && job.lag() <= PAUSE_LAG_BYTES / 2) this.host.pace(false);
    };
    if (start) job.start();
    this.host.shell()?.watchReplaced((cmd) => this.onReplaced(cmd));
  }

  private replacedHook: ((cmd: string) => void) | null = null;

  // Who to tell when the shell replaced itself with `exec CMD` while a job ran.
  onShellReplaced(fn: (cmd: string) => void): void {
    this.replacedHook = fn;
  }

  private onReplaced(cmd: string): void {
    this.replacedHook?.(cmd);
  }
}
