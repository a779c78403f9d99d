// A session: one persistent shell in a PTY, the exec queue in front of it, the state machine that
// follows the shell's marks, and the audience of attached clients. A session outlives its shells:
// when one ends, the next request starts a fresh one and is told that the previous one ended.
// A session made with a command (`pty-relay new NAME -- CMD`) runs that program instead, takes no
// exec requests, and ends for good when the program exits.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../log';
import { Audience, type AttachPeer } from './audience';
import { detachedJob, preview, type BusyInfo, type ExecJob, type JobEnd } from './exec-job';
import { CrlfToLf } from './crlf';
import { MarkParser, type MarkEvent } from './marks';
import { spawnPty, type Pty } from './pty';
import { foregroundPgrp, readCmdline, readCwd } from './proc';
import { renderRc, runLine } from './shell-integration';
import { TokenBucket, type BucketConfig } from './rate-limit';
import { writePrivateFile } from './runtime-dir';
import { JobHistory } from './session/job-history';
import type { JobSummary } from '../protocol/frame';

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

export type SessionState = 'stopped' | 'starting' | 'idle' | 'running' | 'finishing' | 'human';

// A shell that has not printed its first prompt by then is reported broken (a hung ~/.bashrc, or a
// --shell that is not bash). Generous, because a slow rc is paid once per shell.
const STARTUP_TIMEOUT_MS = 30_000;
// While a command runs we check this often whether `exec CMD` replaced the shell (no more marks).
const WATCH_MS = 1_000;
// How long a hung-up program gets before SIGKILL.
const KILL_GRACE_MS = 3_000;

interface Shell {
  pty: Pty;
  parser: MarkParser;
  cmdline: string;
  rcFile: string;
}

interface Running {
  job: ExecJob;
  file: string;
  crlf: CrlfToLf;
  sawStart: boolean;
  since: Date;
  historyId: number;
}

let fileCounter = 0;

export class Session {
  readonly name: string;
  readonly createdAt = new Date();
  private state: SessionState = 'stopped';
  private shell: Shell | null = null;
  private queue: ExecJob[] = [];
  private current: Running | null = null;
  private humanSince: Date | null = null;
  private endNotice: string | null = null;
  private watch: NodeJS.Timeout | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  readonly audience: Audience;
  private readonly outputBucket: TokenBucket;
  // Why PTY reads are paused: an exec client that cannot keep up, or the output rate limit.
  private readonly holds = new Set<'exec' | 'rate'>();
  private readonly history = new JobHistory();

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
    return this.shell?.pty.pid ?? null;
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

  // Queues a job; it runs when the shell is idle and every job queued before it has run.
  submit(job: ExecJob): void {
    this.queue.push(job);
    if (this.state === 'stopped') this.start();
    else this.pump();
  }

  // Removes a job that has not started yet. Returns false when it is already running or done.
  cancel(job: ExecJob): boolean {
    const i = this.queue.indexOf(job);
    if (i === -1) return false;
    this.queue.splice(i, 1);
    return true;
  }

  // Stops delivering a running job's output (its client left or timed out); the command goes on.
  detach(job: ExecJob): void {
    if (this.current?.job !== job) return;
    this.resumeOutput(job);
    this.current.job = detachedJob(job.script);
  }

  // Resumes PTY reads after a job's consumer drained.
  resumeOutput(job: ExecJob): void {
    if (this.current?.job === job) this.release('exec');
  }

  private hold(reason: 'exec' | 'rate'): void {
    if (this.holds.size === 0) this.shell?.pty.pause();
    this.holds.add(reason);
  }

  private release(reason: 'exec' | 'rate'): void {
    if (this.holds.delete(reason) && this.holds.size === 0) this.shell?.pty.resume();
  }

  // What the shell is busy with, or null when a new job would start at once.
  busy(): BusyInfo | null {
    if (this.current !== null) return { what: preview(this.current.job.script), since: this.current.since };
    if (this.state === 'human' && this.humanSince !== null) {
      return { what: 'a command typed in the terminal', since: this.humanSince };
    }
    if (this.queue.length > 0) return { what: `${this.queue.length} queued request(s)`, since: new Date() };
    return null;
  }

  queued(): number {
    return this.queue.length;
  }

  // The exec jobs this session ran (the last 100), oldest first, for the web page's recent commands.
  jobHistory(): JobSummary[] {
    return this.history.list();
  }

  // Sends Ctrl-C to the shell's foreground command. Returns what was interrupted, or null.
  interrupt(): BusyInfo | null {
    const info = this.current !== null || this.state === 'human' ? this.busy() : null;
    if (info !== null && this.shell !== null) {
      // SIGINT to the terminal's foreground group is what Ctrl-C does, without the "^C" echo
      // landing in the command's output, and it works when the program put the tty in raw mode.
      const pgrp = foregroundPgrp(this.shell.pty.pid);
      try {
        if (pgrp === null) throw new Error('no foreground group');
        process.kill(-pgrp, 'SIGINT');
      } catch {
        this.shell.pty.write('\x03');
      }
      this.log.info({ evt: 'session.interrupt', pgrp }, 'interrupt sent');
    }
    return info;
  }

  // A snapshot for `#!status` and `pty-relay ls`.
  info(): { name: string; state: SessionState; pid: number | null; cwd: string | null; queued: number; busy: BusyInfo | null } {
    const pid = this.pid;
    const cwd = pid === null ? null : readCwd(pid);
    return { name: this.name, state: this.state, pid, cwd, queued: this.queue.length, busy: this.busy() };
  }

  // Ends the shell (SIGHUP, as a terminal hang-up would) and fails every job.
  close(reason: string): void {
    this.failQueued(reason);
    if (this.current !== null) {
      const { job, historyId } = this.current;
      this.current = null;
      this.history.end(historyId, null);
      job.onEnd({ kind: 'failed', message: reason });
    }
    const shell = this.shell;
    if (shell === null) return;
    shell.pty.kill('SIGHUP');
    // A program that ignores the hang-up is killed outright.
    setTimeout(() => {
      if (this.shell === shell) shell.pty.kill('SIGKILL');
    }, KILL_GRACE_MS).unref();
  }

  private start(): void {
    const nonce = crypto.randomBytes(16).toString('hex');
    const rcFile = path.join(this.config.dir, `rc-${process.pid}-${++fileCounter}.bash`);
    const [file, ...args] = this.config.command ?? [this.config.shell, '--rcfile', rcFile, '-i'];
    let pty: Pty;
    try {
      if (!this.isCommand) writePrivateFile(rcFile, renderRc(nonce));
      const parser = new MarkParser(nonce);
      const { cols, rows } = this.audience.size;
      pty = spawnPty(
        { file: file as string, args, cwd: this.config.cwd, env: this.config.env, cols, rows },
        {
          onData: (data) => this.onData(parser, data),
          onExit: (code, signal) => this.onExit(pty, code, signal),
        },
      );
      this.shell = { pty, parser, cmdline: '', rcFile };
      this.holds.clear(); // a new PTY starts reading
    } catch (err) {
      fs.rmSync(rcFile, { force: true });
      const message = `cannot start ${this.command}: ${(err as Error).message}`;
      this.log.error({ evt: 'session.spawn_failed', err }, message);
      this.failQueued(message);
      return;
    }
    this.log.info({ evt: 'session.spawned', pid: pty.pid, command: file }, 'program started');
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
    for (const job of this.queue.splice(0)) job.onEnd({ kind: 'failed', message });
  }

  private onData(parser: MarkParser, data: Buffer): void {
    if (this.shell?.parser !== parser) return;
    const wait = this.outputBucket.take(data.length, Date.now());
    if (wait > 0 && !this.holds.has('rate')) {
      this.hold('rate');
      setTimeout(() => this.release('rate'), wait).unref();
    }
    this.audience.output(data);
    if (this.isCommand) return;
    for (const ev of parser.push(data)) this.onEvent(ev);
  }

  private onEvent(ev: MarkEvent): void {
    const cur = this.current;
    if (ev.type === 'data') {
      if (cur !== null && cur.sawStart) this.deliver(cur, cur.crlf.push(ev.data));
      return;
    }
    switch (ev.kind) {
      case 'C':
        if (cur !== null && !cur.sawStart) cur.sawStart = true;
        else if (cur === null && this.state === 'idle') {
          this.state = 'human';
          this.humanSince = new Date();
        }
        return;
      case 'D':
        if (cur !== null && cur.sawStart) this.finish(cur, { kind: 'exit', status: ev.status });
        return;
      case 'A':
        this.onPrompt();
        return;
    }
  }

  private deliver(cur: Running, data: Buffer): void {
    if (data.length === 0) return;
    if (!cur.job.onOutput(data)) this.hold('exec');
  }

  private finish(cur: Running, end: JobEnd): void {
    this.deliver(cur, cur.crlf.flush());
    this.release('exec');
    this.current = null;
    this.stopWatch();
    fs.rm(cur.file, { force: true }, () => undefined);
    this.state = end.kind === 'exit' ? 'finishing' : this.state;
    this.history.end(cur.historyId, end.kind === 'failed' ? null : end.status);
    cur.job.onEnd(end);
  }

  private onPrompt(): void {
    if (this.state === 'starting') {
      if (this.startTimer !== null) clearTimeout(this.startTimer);
      this.startTimer = null;
      if (this.shell !== null) {
        fs.rm(this.shell.rcFile, { force: true }, () => undefined);
        // Read now, not at spawn: until bash has exec'd, /proc shows the forking process.
        this.shell.cmdline = readCmdline(this.shell.pty.pid);
      }
      this.log.debug({ evt: 'session.ready' }, 'first prompt');
    }
    if (this.current !== null) return; // a prompt while ours runs: a nested shell, not ours to judge
    this.state = 'idle';
    this.humanSince = null;
    this.pump();
  }

  private pump(): void {
    if (this.state !== 'idle' || this.shell === null) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    const file = path.join(this.config.dir, `x-${process.pid}-${++fileCounter}.sh`);
    try {
      writePrivateFile(file, job.script);
    } catch (err) {
      job.onEnd({ kind: 'failed', message: `cannot write the script file: ${(err as Error).message}` });
      this.pump();
      return;
    }
    this.current = { job, file, crlf: new CrlfToLf(), sawStart: false, since: new Date(), historyId: this.history.start(job.script) };
    this.state = 'running';
    const notice = this.endNotice;
    this.endNotice = null;
    job.onStart(notice);
    this.shell.pty.write(runLine(file));
    this.startWatch();
  }

  // While a job runs, notice when `exec CMD` replaced the shell: no mark will ever come again.
  private startWatch(): void {
    this.stopWatch();
    this.watch = setInterval(() => {
      const shell = this.shell;
      const cur = this.current;
      if (shell === null || cur === null) return this.stopWatch();
      const now = readCmdline(shell.pty.pid);
      if (now === '' || shell.cmdline === '' || now === shell.cmdline) return;
      this.log.warn({ evt: 'session.replaced' }, 'the shell replaced itself with exec');
      this.shell = null;
      this.state = 'stopped';
      this.endNotice = `the previous shell of session "${this.name}" replaced itself (exec ${now.split('\0')[0] ?? ''}) and was ended`;
      this.finish(cur, { kind: 'shell-exit', status: 0, message: 'the shell replaced itself with `exec`; it no longer runs requests and will be ended' });
      shell.pty.kill('SIGHUP');
      this.restartIfQueued();
    }, WATCH_MS);
    this.watch.unref();
  }

  private stopWatch(): void {
    if (this.watch !== null) clearInterval(this.watch);
    this.watch = null;
  }

  private onExit(pty: Pty, code: number, signal: number): void {
    const shell = this.shell;
    if (shell?.pty !== pty) return; // an old, replaced shell
    // Output still held by the parser (a partial mark at the very end) is ordinary output.
    const tail = shell.parser.flush();
    if (tail.length > 0 && this.current?.sawStart) this.deliver(this.current, this.current.crlf.push(tail));
    const neverReady = this.state === 'starting';
    this.shell = null;
    this.state = 'stopped';
    if (this.startTimer !== null) clearTimeout(this.startTimer);
    this.startTimer = null;
    fs.rm(shell.rcFile, { force: true }, () => undefined);
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
