// jobs/ owns everything about jobs, in one place: a job and its output store (job.ts), the table of
// a session's jobs (job-table.ts), this runner, the job running now (running-job.ts), the terminal
// repair after one (repair.ts), stopping one (stop-job.ts), `#!send` escapes (send-text.ts) and
// input waits: the pure decision (input-wait.ts), the /proc probe (input-probe.ts), its polling
// (quiet-probe.ts) and the watches (input-watch.ts, program-wait.ts). It drives shell/ and cleans
// replies with clean/; session/ owns a runner and its table, and exec/ reads jobs to answer
// requests. The runner: the queue in front of the shell, the job it runs now, and the transitions
// the shell's marks drive (C: output starts, D: it ended, A: the prompt is back); a command typed
// in the terminal becomes a job at its C mark, named by the shell's T mark (typed-command.ts).
import { preview, type Job, type JobEnd, type JobSpec } from './job';
import type { BusyInfo, RunnerHandover, RunnerHost, RunnerState } from './runner-types';
import { JobTable } from './job-table';
import type { MarkEvent } from '../shell/marks';
import { RunningJob } from './running-job';
import { Repair } from './repair';
import { TERMINAL_RESET } from '../shell/shell-integration';
import { Newlines } from '../shell/newlines';
import { ScriptFile } from '../shell/script-file';
import { EchoSwap, REPAIR_SHOWN, renderJobLine } from '../shell/echo-swap';
import type { Shell } from '../shell/shell';
import { TERMINAL_JOB, TypedLines } from './typed-command';

export type { BusyInfo, RunnerHandover, RunnerHost, RunnerState } from './runner-types';

// A pacing exec reader this far behind pauses the PTY; it resumes once the reader is within half.
const PAUSE_LAG_BYTES = 1024 * 1024;

export class JobRunner {
  readonly jobs = new JobTable();
  state: RunnerState = 'idle';
  endNotice: string | null = null; // told to the next job: the previous shell ended
  private queue: Job[] = [];
  private current: RunningJob | null = null;
  private repairPending = false;
  private claiming = false; // asking a queued job's client whether it is still there
  private readonly script: ScriptFile;
  private readonly newlines: Newlines;
  private readonly repair: Repair;
  private readonly echo = new EchoSwap((d) => this.host.output(d));
  private readonly typed = new TypedLines(); // what a person typed, for their command's job

  constructor(private readonly host: RunnerHost) {
    this.script = new ScriptFile(host.dir, host.owner);
    this.newlines = new Newlines(host.dir);
    this.repair = new Repair({ log: host.log, shell: () => host.shell(), output: (d) => host.output(d), again: () => void (this.repairPending = true), typing: (line) => this.echo.arm(line, () => REPAIR_SHOWN) });
  }

  // Queues a new job; it runs when the shell is idle and every job queued before it has run.
  enqueue(spec: JobSpec): Job {
    const job = this.jobs.create(spec);
    this.queue.push(job);
    this.pump();
    return job;
  }

  // Removes a job that has not started yet. Returns false when it is already running or done.
  cancel(job: Job, message = 'cancelled before it started'): boolean {
    const i = this.queue.indexOf(job);
    if (i === -1) return false;
    this.queue.splice(i, 1);
    job.end({ kind: 'failed', message });
    return true;
  }

  foreground(): Job | null {
    return this.current?.job ?? null;
  }

  queued(): number {
    return this.queue.length;
  }

  // What `job` waits behind: the running job (null between jobs) and the jobs queued before it.
  ahead(job: Job): { running: Job | null; queued: Job[] } {
    const i = this.queue.indexOf(job);
    return { running: this.current?.job ?? null, queued: i === -1 ? [] : this.queue.slice(0, i) };
  }

  // What the shell is busy with, or null when a new job would start at once.
  busy(): BusyInfo | null {
    const cur = this.current;
    if (cur !== null) return { what: preview(cur.job.command), since: cur.job.startedAt ?? cur.job.queuedAt, job: cur.job.id };
    const first = this.queue[0];
    if (first !== undefined) return { what: `${this.queue.length} queued request${this.queue.length === 1 ? '' : 's'}`, since: first.queuedAt, job: null, queued: this.queue.length };
    return null;
  }

  // See RunningJob.flushHeld.
  flushHeld(job: Job): void {
    if (this.current?.job === job) this.current.flushHeld();
  }

  checkInput(): Promise<boolean> {
    return this.current?.checkInput() ?? Promise.resolve(false);
  }

  // The runner as handed to a new daemon (call while the session is frozen); for a journal's
  // snapshot (`snapshot`), without output bytes and touching nothing.
  handover(snapshot = false): RunnerHandover {
    const { state, endNotice, repairPending } = this;
    const current = this.current?.handover(!snapshot) ?? null;
    return { state, endNotice, repairPending, queue: this.queue.map((j) => j.id), current, table: this.jobs.handover(!snapshot), newlines: this.newlines.handover() };
  }

  // Takes over what an earlier daemon's runner handed over; the shell is already adopted.
  restore(h: RunnerHandover): void {
    this.jobs.restore(h.table);
    this.state = h.state;
    this.endNotice = h.endNotice;
    this.repairPending = h.repairPending;
    if (h.newlines !== undefined) this.newlines.restore(h.newlines);
    this.queue = h.queue.map((id) => this.jobs.get(id)).filter((j): j is Job => j !== undefined);
    const job = h.current === null ? undefined : this.jobs.get(h.current.job);
    const shell = this.host.shell();
    if (h.current !== null && job !== undefined && shell !== null) this.track(new RunningJob(job, this.script.forJob(h.current.file), shell.pty, (printed) => this.host.promptLine(printed), h.current), false);
    this.suspend();
  }

  // A handover is under way: no timers look at the shell until resume().
  suspend(): void {
    this.echo.letGo(null);
    this.repair.pause();
    this.current?.suspendWatch();
    this.host.shell()?.watchReplaced(null);
  }

  // The session is live (again): watch the running job, or start the next queued one. A job the
  // shell has not accepted yet (a handover or a crash came between typing its line and its C
  // mark, see upgrade/) gets its echo held again: its line's echo is still to come.
  resume(): void {
    if (this.state === 'repairing') this.repair.resume();
    const shell = this.host.shell();
    if (shell !== null && !this.echo.armed) this.holdEcho(shell);
    if (this.current !== null) {
      this.current.resumeWatch();
      this.host.shell()?.watchReplaced((cmd) => this.replacedHook?.(cmd));
    } else this.pump();
  }

  // Raw PTY output (before marks are parsed).
  sawRaw(data: Buffer): void {
    this.current?.sawRaw(data);
  }

  // Raw PTY output as terminals are to see it (newlines.ts; echo-swap.ts for a line we typed).
  display(data: Buffer): Buffer {
    const shell = this.host.shell();
    return this.echo.filter(this.newlines.display(data, shell?.pty.fd ?? null, shell?.nonce ?? null));
  }

  // Output and marks from the shell.
  onEvent(ev: MarkEvent): void {
    const cur = this.current;
    if (ev.type === 'mark' && this.typed.mark(ev, cur === null && this.state === 'idle')) return;
    if (ev.type === 'mark' && this.echo.armed) this.echo.letGo(ev.kind === 'C' ? (this.host.shell()?.nonce ?? null) : null);
    if (ev.type === 'data') {
      this.host.sawText(ev.data, this.state !== 'repairing' && (cur === null || cur.sawStart));
      if (cur !== null && cur.sawStart && cur.output(ev.data) > 0 && cur.job.lag() > PAUSE_LAG_BYTES) this.host.pace(true);
      return;
    }
    if (cur !== null) cur.job.sink?.changed(cur.job, 'mark'); // the running job's state moves on
    if (ev.kind === 'C') {
      if (cur !== null && !cur.sawStart) cur.sawStart = true;
      else if (cur === null && this.state === 'idle') this.begin(this.jobs.create({ command: this.typed.take() ?? TERMINAL_JOB, origin: 'terminal', interactive: true, raw: false }), null, 'human');
    } else if (ev.kind === 'D') {
      if (cur !== null && cur.sawStart) this.finish({ kind: 'exit', status: ev.status });
    } else if (ev.kind === 'F') {
      // An exec job asks for output processing off (newlines.ts); only a plain one of ours gets it.
      const plain = cur !== null && cur.sawStart && cur.job.spec.origin === 'exec' && !cur.job.spec.interactive;
      const fd = this.host.shell()?.pty.fd;
      if (fd !== undefined && this.newlines.flip(fd, ev.seq ?? '0', ev.time ?? '', plain)) cur?.unprocessed();
    } else if (ev.kind === 'G') {
      const fd = this.host.shell()?.pty.fd;
      if (fd !== undefined) this.newlines.flipBack(fd, ev.seq ?? '0');
    } else this.onPrompt();
  }

  // Ends the running job (the shell died, was replaced, or the session closes).
  finish(end: JobEnd): void {
    this.echo.letGo(null);
    const cur = this.current;
    if (cur === null) return;
    if (cur.close()) this.repairPending = true;
    this.newlines.jobEnded(this.host.shell()?.pty.fd ?? null);
    const job = cur.job;
    if (job.killedBy === 'SIGKILL' && job.spec.origin === 'exec') this.host.output(Buffer.from(TERMINAL_RESET));
    job.onPaced = null;
    this.host.pace(false);
    this.current = null;
    this.host.shell()?.watchReplaced(null);
    if (end.kind === 'exit') this.state = 'finishing';
    job.end(end);
    this.host.events.finished(job);
    this.jobs.trim();
  }

  // Ends every job still waiting in the queue with `message`.
  failQueued(message: string): void {
    for (const job of this.queue.splice(0)) job.end({ kind: 'failed', message });
  }

  // The shell is gone: a new one starts idle.
  reset(): void {
    this.echo.letGo(null);
    this.repair.done();
    this.newlines.reset();
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
      this.repair.start();
      return;
    }
    this.repair.done();
    this.state = 'idle';
    this.pump();
  }

  private pump(): void {
    const shell = this.host.shell();
    if (this.state !== 'idle' || this.claiming || shell === null || !shell.isReady) return;
    const next = this.queue[0];
    if (next === undefined) return;
    if (next.claim !== null) return this.claimNext(next, next.claim);
    const job = this.queue.shift() as Job;
    try {
      this.script.write(job.command);
    } catch (err) {
      job.end({ kind: 'failed', message: `cannot write the script file: ${(err as Error).message}` });
      this.pump();
      return;
    }
    job.startNotice = this.endNotice;
    this.endNotice = null;
    this.begin(job, this.script.path, 'running');
    shell.pty.write(this.holdEcho(shell) as string);
  }

  // Holds the display until the shell accepts the running job's line (echo-swap.ts); the line.
  private holdEcho(shell: Shell): string | null {
    const cur = this.current;
    const line = cur?.typedLine(shell.integration) ?? null;
    if (cur !== null && line !== null) this.echo.arm(line, () => renderJobLine(cur.job.command));
    return line;
  }

  // A job that waited in the queue runs only if its client is still there (Job.claim).
  private claimNext(job: Job, claim: () => Promise<boolean>): void {
    job.claim = null;
    this.claiming = true;
    void claim().then((present) => {
      this.claiming = false;
      if (!present && this.cancel(job)) this.host.log.info({ evt: 'exec.abandoned', job: job.id }, 'the client of a queued request has gone; dropped before it ran');
      this.pump();
    });
  }

  // The session is gone for good: its script file too.
  dispose(): void {
    this.repair.done();
    this.script.dispose();
    this.newlines.dispose();
  }

  // Makes `job` the running one. Its output is captured from the next C mark (at once for a command
  // typed in the terminal, whose C mark was just seen).
  private begin(job: Job, file: string | null, state: 'running' | 'human'): void {
    const shell = this.host.shell() as Shell;
    this.state = state;
    this.track(new RunningJob(job, this.script.forJob(file), shell.pty, (printed) => this.host.promptLine(printed)), true);
  }

  // Makes `running` the current job; `start` for a job starting now (not one handed over).
  private track(running: RunningJob, start: boolean): void {
    const job = running.job;
    this.current = running;
    job.onPaced = () => {
      if (this.current?.job === job && job.lag() <= PAUSE_LAG_BYTES / 2) this.host.pace(false);
    };
    if (start) job.start();
    this.host.events.tracked(job, start);
    this.host.shell()?.watchReplaced((cmd) => this.replacedHook?.(cmd));
  }

  private replacedHook: ((cmd: string) => void) | null = null;

  // Who to tell when the shell replaced itself with `exec CMD` while a job ran.
  onShellReplaced(fn: (cmd: string) => void): void {
    this.replacedHook = fn;
  }
}
