// A session: one persistent shell in a PTY, its jobs (job-runner.ts), and the audience of attached
// clients. A session outlives its shells: when one ends, the next request starts a fresh one and
// is told that the previous one ended. A session made with a command (`pty-relay new NAME -- CMD`)
// runs that program instead, takes no exec requests, and ends for good when the program exits.
import type { Logger } from '../../log';
import type { JobSummary } from '../../protocol/frame';
import type { Job, JobSpec } from '../jobs/job';
import type { JobTable } from '../jobs/job-table';
import { Audience, type AttachPeer } from './audience';
import { JobRunner, type BusyInfo, type RunnerState } from './job-runner';
import { readCwd } from './proc';
import { Shell } from './shell';
import { interruptForeground, stopJob, type StopResult } from './stop-job';
import { TokenBucket, type BucketConfig } from '../rate-limit';

export type { BusyInfo } from './job-runner';

export interface SessionConfig {
  shell: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  dir: string; // private directory for this session's rc and script files
  ringBytes: number;
  outputRate: BucketConfig; // bytes per second of PTY output the session may consume
  command?: string[]; // a program to run instead of an integrated shell
  onGone?: () => void; // a command session ended for good
}

export type SessionState = 'stopped' | 'starting' | RunnerState;

// A shell that has not printed its first prompt by then is reported broken (a hung ~/.bashrc, or a
// --shell that is not bash). Generous, because a slow rc is paid once per shell.
const STARTUP_TIMEOUT_MS = 30_000;
// How long a hung-up program gets before SIGKILL.
const KILL_GRACE_MS = 3_000;

export class Session {
  readonly name: string;
  readonly createdAt = new Date();
  readonly audience: Audience;
  private readonly runner: JobRunner;
  private lifecycle: 'stopped' | 'starting' | 'ready' = 'stopped';
  private shell: Shell | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  private readonly outputBucket: TokenBucket;
  // Why PTY reads are paused: an exec client that cannot keep up, or the output rate limit.
  private readonly holds = new Set<'exec' | 'rate'>();

  constructor(
    name: string,
    private readonly config: SessionConfig,
    private readonly log: Logger,
  ) {
    this.name = name;
    this.outputBucket = new TokenBucket(config.outputRate, Date.now());
    this.audience = new Audience(config.ringBytes, config.cols, config.rows, {
      write: (data) => this.shell?.pty.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
      resize: (cols, rows) => this.shell?.pty.resize(cols, rows),
    });
    this.runner = new JobRunner({
      dir: config.dir,
      log,
      shell: () => this.shell,
      pace: (paused) => (paused ? this.hold('exec') : this.release('exec')),
      output: (data) => this.audience.output(data),
      promptLine: () => this.audience.promptLine(),
    });
    this.runner.onShellReplaced((cmd) => this.onReplaced(cmd));
  }

  // True for sessions that run a given program rather than an integrated shell.
  get isCommand(): boolean {
    return this.config.command !== undefined;
  }

  // What the session runs, for `pty-relay ls`.
  get command(): string {
    return (this.config.command ?? [this.config.shell]).join(' ');
  }

  get pid(): number | null {
    return this.shell?.pid ?? null;
  }

  get jobs(): JobTable {
    return this.runner.jobs;
  }

  // Starts the program if it is not running. Returns false when it could not be started, or when
  // a command session has already ended.
  ensureRunning(): boolean {
    if (this.lifecycle === 'stopped') {
      if (this.isCommand && this.shell === null && this.audience.ring.head > 0) return false;
      this.start();
    }
    return this.shell !== null;
  }

  // Adds an attached client, starting the program if it is not running; false as ensureRunning.
  attach(peer: AttachPeer, cols: number, rows: number): boolean {
    if (!this.ensureRunning()) return false;
    this.audience.add(peer, cols, rows);
    return true;
  }

  detachPeer(peer: AttachPeer): void {
    this.audience.remove(peer);
  }

  // Queues a new job; it runs when the shell is idle and every job queued before it has run.
  submit(spec: JobSpec): Job {
    const job = this.runner.enqueue(spec);
    if (this.lifecycle === 'stopped') this.start();
    return job;
  }

  // Removes a job that has not started yet. Returns false when it is already running or done.
  cancel(job: Job): boolean {
    return this.runner.cancel(job);
  }

  // The job in the terminal's foreground (an exec job, or a command typed there), or null.
  foreground(): Job | null {
    return this.runner.foreground();
  }

  // What the shell is busy with, or null when a new job would start at once.
  busy(): BusyInfo | null {
    return this.runner.busy();
  }

  // Types bytes into the terminal, for the program in the foreground.
  type(bytes: Buffer): void {
    this.shell?.pty.write(bytes);
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
  info(): { name: string; state: SessionState; pid: number | null; cwd: string | null; queued: number; busy: BusyInfo | null; waiting: boolean } {
    const pid = this.pid;
    const cwd = pid === null ? null : readCwd(pid);
    const state: SessionState = this.isCommand && this.shell !== null ? 'human' : this.lifecycle === 'ready' ? this.runner.state : this.lifecycle;
    const waiting = this.runner.foreground()?.state === 'input';
    return { name: this.name, state, pid, cwd, queued: this.runner.queued(), busy: this.busy(), waiting };
  }

  // Ends the shell (SIGHUP, as a terminal hang-up would) and fails every job.
  close(reason: string): void {
    this.runner.failQueued(reason);
    this.runner.finish({ kind: 'failed', message: reason });
    const shell = this.shell;
    if (shell === null) return;
    shell.pty.kill('SIGHUP');
    // A program that ignores the hang-up is killed outright.
    setTimeout(() => {
      if (this.shell === shell) shell.pty.kill('SIGKILL');
    }, KILL_GRACE_MS).unref();
  }

  private start(): void {
    let shell: Shell;
    try {
      const { cols, rows } = this.audience.size;
      const { shell: sh, command, cwd, env, dir } = this.config;
      shell = new Shell(
        { shell: sh, command, cwd, env, dir, cols, rows },
        {
          onOutput: (data) => this.onOutput(shell, data),
          onEvent: (ev) => {
            if (this.shell !== shell) return;
            if (ev.type === 'mark' && ev.kind === 'A' && this.lifecycle === 'starting') this.onReady(shell);
            this.runner.onEvent(ev);
          },
          onExit: (code, signal) => this.onExit(shell, code, signal),
        },
      );
      this.shell = shell;
      this.holds.clear(); // a new PTY starts reading
    } catch (err) {
      const message = `cannot start ${this.command}: ${(err as Error).message}`;
      this.log.error({ evt: 'session.spawn_failed', err }, message);
      this.runner.failQueued(message);
      return;
    }
    this.log.info({ evt: 'session.spawned', pid: shell.pid, command: this.config.command?.[0] ?? this.config.shell }, 'program started');
    this.runner.reset();
    this.lifecycle = this.isCommand ? 'ready' : 'starting';
    if (!this.isCommand) this.startTimer = setTimeout(() => this.onStartTimeout(), STARTUP_TIMEOUT_MS);
  }

  private onReady(shell: Shell): void {
    if (this.startTimer !== null) clearTimeout(this.startTimer);
    this.startTimer = null;
    this.lifecycle = 'ready';
    shell.ready();
    this.log.debug({ evt: 'session.ready' }, 'first prompt');
  }

  private onStartTimeout(): void {
    this.startTimer = null;
    if (this.lifecycle !== 'starting') return;
    const message = `the shell printed no prompt within ${STARTUP_TIMEOUT_MS / 1000} s; is ~/.bashrc waiting for input, or is --shell not bash?`;
    this.log.error({ evt: 'session.start_timeout' }, message);
    this.runner.failQueued(message);
  }

  private onOutput(shell: Shell, data: Buffer): void {
    if (this.shell !== shell) return;
    const wait = this.outputBucket.take(data.length, Date.now());
    if (wait > 0 && !this.holds.has('rate')) {
      this.hold('rate');
      setTimeout(() => this.release('rate'), wait).unref();
    }
    this.audience.output(data);
    this.runner.sawRaw(data);
  }

  private hold(reason: 'exec' | 'rate'): void {
    if (this.holds.size === 0) this.shell?.pty.pause();
    this.holds.add(reason);
  }

  private release(reason: 'exec' | 'rate'): void {
    if (this.holds.delete(reason) && this.holds.size === 0) this.shell?.pty.resume();
  }

  // The shell replaced itself with `exec CMD` while a job ran: no mark will ever come again.
  private onReplaced(cmd: string): void {
    const shell = this.shell;
    if (shell === null) return;
    this.log.warn({ evt: 'session.replaced' }, 'the shell replaced itself with exec');
    this.shell = null;
    this.lifecycle = 'stopped';
    this.runner.endNotice = `the previous shell of session "${this.name}" replaced itself (exec ${cmd.split('\0')[0] ?? ''}) and was ended`;
    this.runner.finish({ kind: 'shell-exit', status: 0, message: 'the shell replaced itself with `exec`; it no longer runs requests and will be ended' });
    shell.pty.kill('SIGHUP');
    if (this.runner.queued() > 0) this.start();
  }

  private onExit(shell: Shell, code: number, signal: number): void {
    if (this.shell !== shell) return; // an old, replaced shell
    const neverReady = this.lifecycle === 'starting';
    this.shell = null;
    this.lifecycle = 'stopped';
    if (this.startTimer !== null) clearTimeout(this.startTimer);
    this.startTimer = null;
    const how = signal !== 0 ? `was killed by signal ${signal}` : `exited with status ${code}`;
    this.log.info({ evt: 'session.exited', code, signal }, 'program ended');
    this.audience.ended(code, signal);
    if (this.isCommand) {
      this.audience.dispose();
      this.config.onGone?.();
      return;
    }
    this.runner.endNotice = `the previous shell of session "${this.name}" ${how} at ${new Date().toISOString()}; this is a new shell`;
    const status = signal !== 0 ? 128 + signal : code;
    this.runner.finish({ kind: 'shell-exit', status, message: `the shell ${how} while running this command; the next request starts a new shell` });
    if (neverReady) {
      // Restarting would fail the same way, forever: fail the waiting requests instead.
      this.runner.endNotice = null;
      const message = `the shell ${how} before its first prompt; check --shell, ~/.bashrc and that the home directory exists`;
      this.log.error({ evt: 'session.start_failed', code, signal }, message);
      this.runner.failQueued(message);
      return;
    }
    if (this.runner.queued() > 0) this.start();
  }
}
