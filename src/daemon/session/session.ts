// session/ owns the session itself: this class, the registry (registry.ts), the program through its
// lifecycle (program.ts; a start under a holder: launch.ts), idle output (idle-output.ts), the audience with the
// ring and the mirror (audience.ts), read holds (read-holds.ts) and what a session taken over from a
// gone daemon settles (crash.ts). It composes a shell (shell/), jobs (jobs/) and a mirror (mirror/);
// connections and the upgrade reach sessions through here. A session outlives its shells; one made
// with a command (`pty-relay new NAME -- CMD`) takes no exec requests and ends with the program.
import { SessionJournal } from '../journal/session-journal';
import type { HolderLink } from '../holder/link';
import type { Logger } from '../../log';
import type { JobSummary } from '../../protocol/frame';
import type { Job, JobSpec } from '../jobs/job';
import type { JobTable } from '../jobs/job-table';
import { relinkHolder, settleAfterCrash } from './crash';
import type { Adoption, Predecessor, SessionHandover } from './handover';
import { Audience, type AttachPeer, type PtyTarget } from './audience';
import { JobRunner, type BusyInfo, type RunnerState } from '../jobs/job-runner';
import { readCwd } from '../pty/proc';
import { SessionSignals } from './signals';
import { Program, type Lifecycle, type SessionConfig } from './program';
import type { IdleOutput } from './idle-output';
import type { Shell } from '../shell/shell';
import type { ProbeTarget } from '../jobs/quiet-probe';
import { interruptForeground, stopJob, type StopResult } from '../jobs/stop-job';
import { wouldTypeAhead } from '../jobs/type-ahead';
import type { SessionSandbox } from '../sandbox/sandbox';
import { killSandboxStrays, sandboxHits } from './sandboxed';

export type { BusyInfo } from '../jobs/job-runner';
export type { SessionConfig } from './program';
export type { Adoption, Predecessor, SessionHandover } from './handover';
export type SessionState = Exclude<Lifecycle, 'ready'> | RunnerState;

export class Session {
  readonly name: string;
  createdAt = new Date();
  predecessor: Predecessor | null = null; // the session of this name a client ended before it
  readonly audience: Audience;
  private readonly runner: JobRunner;
  private readonly program: Program;
  private readonly signals: SessionSignals; // its events (events/)
  private readonly journal: SessionJournal | null;

  // `adopt`: a session handed over by an earlier daemon, with its PTY's master fd (null: no program); frozen until thaw().
  constructor(
    name: string,
    private readonly config: SessionConfig,
    private readonly log: Logger,
    adopt?: Adoption,
  ) {
    this.name = name;
    this.signals = new SessionSignals(name, config.command !== undefined, config.emit ?? (() => undefined), () => this.audience.promptLine());
    const write = (data: Uint8Array): void => this.type(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    const pty: PtyTarget = { write, resize: (cols, rows) => (this.program.idle.close(), this.shell?.pty.resize(cols, rows)) };
    this.audience = adopt === undefined ? new Audience(config.ringBytes, config.cols, config.rows, pty) : Audience.restore(adopt.state.audience, pty);
    this.runner = new JobRunner({
      events: this.signals.jobs,
      sawText: (data, counts) => this.signals.sawText(data, counts),
      dir: config.sandbox?.shellDir ?? config.dir,
      owner: config.sandbox?.owner ?? null,
      log,
      shell: () => this.shell,
      pace: (paused) => (paused ? this.program.holds.hold('exec') : this.program.holds.release('exec')),
      output: (data) => this.audience.output(data),
      promptLine: (printed) => this.audience.promptLine(printed),
    });
    const sig = this.signals;
    const host = { sawOutput: (d: Buffer) => sig.sawOutput(d), started: (pid: number, pts: string | null) => sig.started(pid, pts), stopped: () => sig.stopped() };
    this.journal = config.journal ? new SessionJournal(config.dir, this.audience.ring.capacity, this.audience.ring.head, () => this.snapshot()) : null;
    // A shell started or ready (rare): on disk at once, for its holder outlives us from now on.
    const onLifecycle = (): void => this.journal?.saveNow();
    this.program = new Program({ name, config, log, audience: this.audience, runner: this.runner, command: this.command, onLifecycle, ...host });
    this.runner.onShellReplaced((cmd) => this.program.onReplaced(cmd));
    if (adopt !== undefined) {
      this.createdAt = new Date(adopt.state.createdAt);
      this.program.adopt(adopt.state.shell, adopt.fd, adopt.state.lifecycle, adopt.link ?? null, adopt.pending ?? null);
      this.runner.restore(adopt.state.runner);
      settleAfterCrash({ name, log, runner: this.runner, program: this.program }, adopt);
    }
    if (this.journal !== null) {
      this.runner.jobs.sink = this.journal;
      this.audience.onOutput = (data) => this.journal?.terminal(data);
      this.journal.save();
    }
  }

  // The session as a journal keeps it: a handover without byte strings, touching nothing.
  snapshot(): SessionHandover {
    return { ...this.own(), shell: this.shell?.handover() ?? null, runner: this.runner.handover(true), audience: this.audience.journalState() };
  }

  // What a handover and a snapshot share: its own facts and its sandbox (kept by the next daemon).
  private own(): Omit<SessionHandover, 'shell' | 'runner' | 'audience'> {
    const sandbox = this.config.sandbox?.state();
    return { name: this.name, createdAt: this.createdAt.getTime(), command: this.config.command ?? null, lifecycle: this.program.lifecycle, ...(sandbox === undefined ? {} : { sandbox }) };
  }

  // After an upgrade, before thaw(): reconnects to the holder let go of (crash.ts; `again`: rolled back).
  relink(again = false): Promise<void> {
    return relinkHolder(this.shell, this.config.dir, this.log, again);
  }

  // Lets go of the session without ending it: its holder keeps the program for the next daemon.
  detach(): void {
    this.journal?.saveNow();
    this.journal?.close(false);
    this.program.detach();
    this.runner.dispose();
  }

  private get shell(): Shell | null {
    return this.program.shell;
  }

  // The state a new daemon needs to take the session over (call while frozen).
  async handover(): Promise<SessionHandover> {
    const audience = await this.audience.handover();
    return { ...this.own(), shell: this.shell?.handover() ?? null, runner: this.runner.handover(), audience };
  }

  // The PTY master's fd, for the handover; null when no program runs.
  get ptyFd(): number | null {
    return this.shell?.pty.fd ?? null;
  }

  // Stops for a handover (nothing is read, typed, or moves on); resolves with input not yet written.
  freeze(): Promise<Buffer> {
    this.runner.suspend();
    return this.program.freeze();
  }

  // Goes on, typing `input` first: the handover was called off, or the session was just adopted.
  thaw(input: Buffer): void {
    this.program.thaw(input);
    this.runner.resume();
  }

  // True for sessions that run a given program rather than an integrated shell.
  get isCommand(): boolean {
    return this.config.command !== undefined;
  }

  // What the session runs, for `pty-relay ls`.
  get command(): string {
    return (this.config.command ?? [this.config.shell]).join(' ');
  }

  // The sandbox the session runs in (its summary() for `ls`, `#!status`, the web page), or undefined.
  get sandbox(): SessionSandbox | undefined {
    return this.config.sandbox;
  }

  // The sandbox caps hit since the last call, in words (logged too); empty outside a sandbox.
  capHits(): string[] {
    return sandboxHits(this.config.sandbox, this.shell?.pid ?? null, this.log);
  }

  // Ends every process in the sandbox but the shell (a fork bomb's leave their job); how many.
  killStrays(): Promise<number> {
    return killSandboxStrays(this.config.sandbox, this.shell, this.log);
  }

  get pid(): number | null {
    return this.shell?.pid ?? null;
  }

  // The program's terminal, to probe whether it waits for input (jobs/quiet-probe.ts); null when none runs.
  terminal(): ProbeTarget | null {
    const sh = this.shell;
    return sh === null || sh.pty.pts === null ? null : { pid: sh.pid, pts: sh.pty.pts, masterFd: sh.pty.fd, promptLine: () => this.audience.promptLine() };
  }

  get jobs(): JobTable {
    return this.runner.jobs;
  }

  // Output printed while no job ran, for the next reply (idle-output.ts).
  get idleOutput(): IdleOutput {
    return this.program.idle;
  }

  // Starts the program if it is not running; false when it could not, or a command session ended.
  ensureRunning(): boolean {
    if (this.program.lifecycle === 'stopped') {
      if (this.isCommand && this.shell === null && this.audience.ring.head > 0) return false;
      this.program.start();
    }
    return this.program.lifecycle !== 'stopped';
  }

  // Under a holder the program may still be starting: this settles once it runs (pid) or failed.
  launched = (): Promise<void> => this.program.launched();

  // Adds an attached client, starting the program if it is not running; false as ensureRunning.
  attach(peer: AttachPeer, cols: number, rows: number): boolean {
    if (!this.ensureRunning()) return false;
    this.audience.add(peer, cols, rows);
    this.signals.clients(true, this.audience.clients, peer.readOnly);
    return true;
  }

  detachPeer(peer: AttachPeer): void {
    if (this.audience.remove(peer)) this.signals.clients(false, this.audience.clients, peer.readOnly);
  }

  // Queues a new job; it runs when the shell is idle and every job queued before it has run.
  submit(spec: JobSpec): Job {
    const job = this.runner.enqueue(spec);
    if (this.program.lifecycle === 'stopped') this.program.start();
    return job;
  }

  // Removes a job that has not started yet (`message`: why, its end); false when it already ran.
  cancel = (job: Job, message?: string): boolean => this.runner.cancel(job, message);

  // The job in the terminal's foreground (an exec job, or a command typed there), or null.
  foreground = (): Job | null => this.runner.foreground();

  // What a queued `job` waits behind: the running job and the jobs queued before it.
  ahead = (job: Job): { running: Job | null; queued: Job[] } => this.runner.ahead(job);

  // What the shell is busy with, or null when a new job would start at once.
  busy = (): BusyInfo | null => this.runner.busy();

  // Types bytes into the terminal, for the program in the foreground (readline echoes them).
  type(bytes: Buffer): void {
    this.program.idle.close();
    this.signals.typed(bytes);
    this.shell?.pty.write(bytes);
  }

  // Would `bytes` typed now wait unread in the terminal for whatever reads next (type-ahead.ts)?
  typesAhead(bytes: Buffer): boolean {
    const shell = this.shell;
    if (shell === null || this.runner.foreground()?.state === 'input') return false;
    return wouldTypeAhead(bytes, shell.pid, shell.pty.pts, shell.pty.fd);
  }

  // A reply about `job` ends while it runs: its held partial line (a prompt) goes to its store.
  flushHeld(job: Job): void {
    this.runner.flushHeld(job);
  }

  // Probes now whether the foreground job waits for terminal input (updating its state).
  checkInput(): Promise<boolean> {
    return this.runner.checkInput();
  }

  // The session's recent jobs, oldest first, for the web page's recent commands.
  jobHistory(): JobSummary[] {
    return this.runner.jobs.summaries();
  }

  // Sends Ctrl-C to the shell's foreground command. Returns what was interrupted, or null.
  interrupt(): BusyInfo | null {
    const info = this.runner.foreground() !== null ? this.busy() : null;
    if (info !== null && this.shell !== null) {
      const pgrp = interruptForeground(this.shell.pid, (b) => this.type(b));
      this.log.info({ evt: 'session.interrupt', pgrp }, 'interrupt sent');
    }
    return info;
  }

  // Stops the foreground job (SIGINT, SIGTERM, SIGKILL to its programs) and keeps the shell.
  async stop(job: Job): Promise<StopResult> {
    if (this.runner.foreground() !== job || this.shell === null) return { stopped: !job.live, signal: null };
    const result = await stopJob(job, this.shell.pid);
    this.log.info({ evt: 'job.stopped', job: job.id, signal: result.signal, stopped: result.stopped }, 'job stop requested');
    return result;
  }

  // A snapshot for `#!status` and `pty-relay ls`.
  info(): { name: string; state: SessionState; pid: number | null; cwd: string | null; queued: number; busy: BusyInfo | null; waiting: boolean; holder: HolderLink | null } {
    const pid = this.pid;
    const cwd = pid === null ? null : readCwd(pid);
    const lifecycle = this.program.lifecycle;
    const state: SessionState = this.isCommand && this.shell !== null ? 'human' : lifecycle === 'ready' ? this.runner.state : lifecycle;
    const waiting = this.runner.foreground()?.state === 'input';
    return { name: this.name, state, pid, cwd, queued: this.runner.queued(), busy: this.busy(), waiting, holder: this.shell?.link ?? null };
  }

  // A new session whose name a client's end freed (`before`): its first reply says so, once.
  follows(before: Predecessor): void {
    this.predecessor = before;
    this.runner.jobs.numberFrom(before.nextJob);
    this.runner.endNotice = `session "${this.name}" is new: the one before was ended ${before.how} at ${before.at.toTimeString().slice(0, 8)}; this shell starts afresh (not the old one's directory, variables or jobs; job numbers go on)`;
  }

  // Ends the shell (SIGHUP, as a terminal hang-up would) and fails every job: queued ones with
  // `reason`, the running one with `running`.
  close(reason: string, running = reason): void {
    this.runner.failQueued(reason);
    this.runner.finish({ kind: 'failed', message: running });
    this.program.hangUp();
    this.runner.dispose();
    this.signals.stopped();
    this.journal?.close(true);
    this.config.sandbox?.dispose();
  }
}
