// A session: one persistent shell in a PTY, its jobs (the queue in front of the shell, the running
// one and a history), and the audience of attached clients. A session outlives its shells: when one
// ends, the next request starts a fresh one and is told that the previous one ended.
// A session made with a command (`pty-relay new NAME -- CMD`) runs that program instead, takes no
// exec requests, and ends for good when the program exits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../log';
import { JobTable } from '../jobs/job-table';
import { preview, type Job, type JobEnd, type JobSpec } from '../jobs/job';
import { Audience, type AttachPeer } from './audience';
import type { MarkEvent } from './marks';
import type { ScreenText } from './mirror';
import { RunningJob } from './running-job';
import { readCwd } from './proc';
import { Shell } from './shell';
import { repairLine, runLine, TERMINAL_RESET } from './shell-integration';
import { interruptForeground, stopJob, type StopResult } from './stop-job';
import { TokenBucket, type BucketConfig } from '../rate-limit';
import { writePrivateFile } from '../server/runtime-dir';

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

export type SessionState = 'stopped' | 'starting' | 'idle' | 'running' | 'finishing' | 'repairing' | 'human';

export interface BusyInfo {
  what: string; // a one-line preview of the command, or "a command typed in the terminal"
  since: Date;
  job: number | null;
}

// A shell that has not printed its first prompt by then is reported broken (a hung ~/.bashrc, or a
// --shell that is not bash). Generous, because a slow rc is paid once per shell.
const STARTUP_TIMEOUT_MS = 30_000;
// How long a hung-up program gets before SIGKILL.
const KILL_GRACE_MS = 3_000;
// A pacing exec reader this far behind pauses the PTY; it resumes once the reader is within half.
const PAUSE_LAG_BYTES = 1024 * 1024;
export const TERMINAL_JOB = 'a command typed in the terminal';


let fileCounter = 0;

export class Session {
  readonly name: string;
  readonly createdAt = new Date();
  readonly audience: Audience;
  readonly jobs = new JobTable();
  private state: SessionState = 'stopped';
  private shell: Shell | null = null;
  private queue: Job[] = [];
  private current: RunningJob | null = null;
  private endNotice: string | null = null;
  private repairPending = false;
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
      write: (data) => this.shell?.pty.write(data),
      resize: (cols, rows) => this.shell?.pty.resize(cols, rows),
    });
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

  // Starts the program if it is not running. Returns false when it could not be started, or when
  // a command session has already ended.
  ensureRunning(): boolean {
    if (this.state === 'stopped') {
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
    const job = this.jobs.create(spec);
    this.queue.push(job);
    if (this.state === 'stopped') this.start();
    else this.pump();
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

  // The job in the terminal's foreground (an exec job, or a command typed there), or null.
  foreground(): Job | null {
    return this.current?.job ?? null;
  }

  // What the shell is busy with, or null when a new job would start at once.
  busy(): BusyInfo | null {
    const cur = this.current;
    if (cur !== null) return { what: preview(cur.job.command), since: cur.job.startedAt ?? cur.job.queuedAt, job: cur.job.id };
    if (this.queue.length > 0) return { what: `${this.queue.length} queued request(s)`, since: new Date(), job: null };
    return null;
  }

  queued(): number {
    return this.queue.length;
  }

  // Types bytes into the terminal, for the program in the foreground.
  type(bytes: Buffer): void {
    this.shell?.pty.write(bytes);
  }

  // The current screen as plain text.
  screen(): Promise<ScreenText> {
    return this.audience.screenText();
  }

  // Probes now whether the foreground job waits for terminal input (updating its state).
  checkInput(): Promise<boolean> {
    return this.current?.checkInput() ?? Promise.resolve(false);
  }

  // Sends Ctrl-C to the shell's foreground command. Returns what was interrupted, or null.
  interrupt(): BusyInfo | null {
    const info = this.current !== null ? this.busy() : null;
    if (info !== null && this.shell !== null) {
      const pgrp = interruptForeground(this.shell.pid, (b) => this.type(b));
      this.log.info({ evt: 'session.interrupt', pgrp }, 'interrupt sent');
    }
    return info;
  }

  // Stops the foreground job (SIGINT, SIGTERM, SIGKILL to its programs) and keeps the shell.
  async stop(job: Job): Promise<StopResult> {
    if (this.current?.job !== job || this.shell === null) return { stopped: !job.live, signal: null };
    const result = await stopJob(job, this.shell.pid);
    this.log.info({ evt: 'job.stopped', job: job.id, signal: result.signal, stopped: result.stopped }, 'job stop requested');
    return result;
  }

  // A snapshot for `#!status` and `pty-relay ls`.
  info(): { name: string; state: SessionState; pid: number | null; cwd: string | null; queued: number; busy: BusyInfo | null; waiting: boolean } {
    const pid = this.pid;
    const cwd = pid === null ? null : readCwd(pid);
    const waiting = this.current?.job.state === 'input';
    return { name: this.name, state: this.state, pid, cwd, queued: this.queue.length, busy: this.busy(), waiting };
  }

  // Ends the shell (SIGHUP, as a terminal hang-up would) and fails every job.
  close(reason: string): void {
    this.failQueued(reason);
    if (this.current !== null) this.finish(this.current, { kind: 'failed', message: reason });
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
            if (this.shell === shell) this.onEvent(ev);
          },
          onExit: (code, signal) => this.onExit(shell, code, signal),
        },
      );
      this.shell = shell;
      this.holds.clear(); // a new PTY starts reading
    } catch (err) {
      const message = `cannot start ${this.command}: ${(err as Error).message}`;
      this.log.error({ evt: 'session.spawn_failed', err }, message);
      this.failQueued(message);
      return;
    }
    this.log.info({ evt: 'session.spawned', pid: shell.pid, command: this.config.command?.[0] ?? this.config.shell }, 'program started');
    if (this.isCommand) {
      this.state = 'human';
      return;
    }
    this.state = 'starting';
    this.startTimer = setTimeout(() => this.onStartTimeout(), STARTUP_TIMEOUT_MS);
  }

  private onStartTimeout(): void {
    this.startTimer = null;
    if (this.state !== 'starting') return;
    const message = `the shell printed no prompt within ${STARTUP_TIMEOUT_MS / 1000} s; is ~/.bashrc waiting for input, or is --shell not bash?`;
    this.log.error({ evt: 'session.start_timeout' }, message);
    this.failQueued(message);
  }

  // Ends every job still waiting in the queue with `message`.
  private failQueued(message: string): void {
    for (const job of this.queue.splice(0)) job.end({ kind: 'failed', message });
  }

  private onOutput(shell: Shell, data: Buffer): void {
    if (this.shell !== shell) return;
    const wait = this.outputBucket.take(data.length, Date.now());
    if (wait > 0 && !this.holds.has('rate')) {
      this.hold('rate');
      setTimeout(() => this.release('rate'), wait).unref();
    }
    this.audience.output(data);
    this.current?.sawRaw(data);
  }

  private onEvent(ev: MarkEvent): void {
    const cur = this.current;
    if (ev.type === 'data') {
      if (cur !== null && cur.sawStart && cur.output(ev.data) > 0 && cur.job.lag() > PAUSE_LAG_BYTES) this.hold('exec');
      return;
    }
    switch (ev.kind) {
      case 'C':
        if (cur !== null && !cur.sawStart) cur.sawStart = true;
        else if (cur === null && this.state === 'idle') this.begin(this.jobs.create({ command: TERMINAL_JOB, origin: 'terminal', interactive: true, raw: false }), null, 'human');
        return;
      case 'D':
        if (cur !== null && cur.sawStart) this.finish(cur, { kind: 'exit', status: ev.status });
        return;
      case 'A':
        this.onPrompt();
        return;
    }
  }

  private hold(reason: 'exec' | 'rate'): void {
    if (this.holds.size === 0) this.shell?.pty.pause();
    this.holds.add(reason);
  }

  private release(reason: 'exec' | 'rate'): void {
    if (this.holds.delete(reason) && this.holds.size === 0) this.shell?.pty.resume();
  }

  // Makes `job` the running one: its output is captured from the next `C` mark (at once for a
  // command typed in the terminal, whose `C` mark was just seen).
  private begin(job: Job, file: string | null, state: 'running' | 'human'): void {
    this.current = new RunningJob(job, file, (this.shell as Shell).pty, () => this.promptLine());
    this.state = state;
    job.onPaced = () => {
      if (this.current?.job === job && job.lag() <= PAUSE_LAG_BYTES / 2) this.release('exec');
    };
    job.start();
    this.shell?.watchReplaced((cmd) => this.onReplaced(cmd));
  }

  // The line a waiting program prompts on: the cursor's, or the last non-empty one above it.
  private async promptLine(): Promise<{ prompt: string; fullScreen: boolean }> {
    const s = await this.audience.screenText();
    let row = s.cursor.row;
    while (row > 0 && (s.rows[row] ?? '').trim() === '') row--;
    return { prompt: (s.rows[row] ?? '').trim(), fullScreen: s.altScreen };
  }

  private finish(cur: RunningJob, end: JobEnd): void {
    if (cur.close()) this.repairPending = true;
    if (cur.job.killedBy === 'SIGKILL' && cur.job.spec.origin === 'exec') this.audience.output(Buffer.from(TERMINAL_RESET));
    cur.job.onPaced = null;
    this.release('exec');
    this.current = null;
    this.shell?.watchReplaced(null);
    this.state = end.kind === 'exit' ? 'finishing' : this.state;
    cur.job.end(end);
    this.jobs.trim();
  }

  private onPrompt(): void {
    if (this.state === 'starting') {
      if (this.startTimer !== null) clearTimeout(this.startTimer);
      this.startTimer = null;
      this.shell?.ready();
      this.log.debug({ evt: 'session.ready' }, 'first prompt');
    }
    if (this.current !== null) return; // a prompt while ours runs: a nested shell, not ours to judge
    if (this.repairPending && this.shell !== null && this.state !== 'starting') {
      this.repairPending = false;
      this.state = 'repairing';
      this.shell.pty.write(repairLine());
      return;
    }
    this.state = 'idle';
    this.pump();
  }

  private pump(): void {
    if (this.state !== 'idle' || this.shell === null) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    const file = path.join(this.config.dir, `x-${process.pid}-${++fileCounter}.sh`);
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
    this.shell.pty.write(runLine(file, { interactive: job.spec.interactive, raw: job.spec.raw }));
  }

  // The shell replaced itself with `exec CMD` while a job ran: no mark will ever come again.
  private onReplaced(cmd: string): void {
    const shell = this.shell;
    const cur = this.current;
    if (shell === null || cur === null) return;
    this.log.warn({ evt: 'session.replaced' }, 'the shell replaced itself with exec');
    this.shell = null;
    this.state = 'stopped';
    this.endNotice = `the previous shell of session "${this.name}" replaced itself (exec ${cmd.split('\0')[0] ?? ''}) and was ended`;
    this.finish(cur, { kind: 'shell-exit', status: 0, message: 'the shell replaced itself with `exec`; it no longer runs requests and will be ended' });
    shell.pty.kill('SIGHUP');
    this.restartIfQueued();
  }

  private onExit(shell: Shell, code: number, signal: number): void {
    if (this.shell !== shell) return; // an old, replaced shell
    const neverReady = this.state === 'starting';
    this.shell = null;
    this.state = 'stopped';
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
    this.endNotice = `the previous shell of session "${this.name}" ${how} at ${new Date().toISOString()}; this is a new shell`;
    if (this.current !== null) {
      const status = signal !== 0 ? 128 + signal : code;
      this.finish(this.current, { kind: 'shell-exit', status, message: `the shell ${how} while running this command; the next request starts a new shell` });
    }
    if (neverReady) {
      // Restarting would fail the same way, forever: fail the waiting requests instead.
      this.endNotice = null;
      const message = `the shell ${how} before its first prompt; check --shell, ~/.bashrc and that the home directory exists`;
      this.log.error({ evt: 'session.start_failed', code, signal }, message);
      this.failQueued(message);
      return;
    }
    this.restartIfQueued();
  }

  private restartIfQueued(): void {
    if (this.queue.length > 0) this.start();
  }
}
