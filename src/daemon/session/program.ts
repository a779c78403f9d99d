// A session's program in its PTY, through its lifecycle: started (or adopted from an earlier daemon
// process), its first prompt, `exec` replacing it, its exit, and frozen for a handover. Its output
// goes to the session's audience and job runner; read holds pause it for slow readers.
import type { Logger } from '../../log';
import type { Emit } from '../events/bus';
import type { Audience } from './audience';
import type { JobRunner } from '../jobs/job-runner';
import type { HolderLink } from '../holder/link';
import type { HolderPolicy } from '../holder/spawn';
import type { MarkEvent } from '../shell/marks';
import { IdleOutput } from './idle-output';
import { Launch } from './launch';
import { ReadHolds } from './read-holds';
import type { SessionSandbox } from '../sandbox/sandbox';
import type { BucketConfig } from '../base/rate-limit';
import { Shell, type ShellHandlers, type ShellHandover } from '../shell/shell';

export type Lifecycle = 'stopped' | 'starting' | 'ready';

// What a session is made from (registry.ts fills it in from the daemon's defaults).
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
  sandbox?: SessionSandbox; // runs the program in this sandbox (sandbox/)
  onGone?: (code: number | null, signal: number) => void; // a command session ended for good
  emit?: Emit; // the daemon's event stream (events/)
  holder: HolderPolicy | null; // run the program under a holder (holder/); null: node-pty directly
  journal: boolean; // keep the session on disk too (journal/), for a daemon that starts after a crash
}

// What the program needs from its session.
export interface ProgramHost {
  readonly name: string;
  readonly config: SessionConfig;
  readonly log: Logger;
  readonly audience: Audience;
  readonly runner: JobRunner;
  readonly command: string; // what runs, for messages
  sawOutput(raw: Buffer): void; // every byte the program printed (the bell, its input waits)
  started(pid: number, pts: string | null): void; // a program (a shell) runs now
  stopped(): void; // and no longer
  onLifecycle(): void; // started, ready or ended: worth a journal snapshot
}

// A shell that has not printed its first prompt by then is reported broken (a hung ~/.bashrc, or a
// --shell that is not bash). Generous, because a slow rc is paid once per shell.
const STARTUP_TIMEOUT_MS = 30_000;
// How an adopted program's end is told when its status is unknown (see pty.ts).
const EXIT_UNKNOWN = 'ended (exit status unknown: an earlier pty-relay process started it, and only a parent learns the status)';

export class Program {
  readonly idle = new IdleOutput(); // output printed while no job runs, for the next reply
  private redrawn = false; // a T mark came: the next B is the prompt redrawn around the typed line
  shell: Shell | null = null;
  lifecycle: Lifecycle = 'stopped';
  readonly holds: ReadHolds;
  private startTimer: NodeJS.Timeout | null = null;
  private launch: Launch | null = null; // a start under a holder, under way

  constructor(private readonly host: ProgramHost) {
    this.holds = new ReadHolds(host.config.outputRate, () => this.shell?.pty);
  }

  private get isCommand(): boolean {
    return this.host.config.command !== undefined;
  }

  // Starts the program; on failure, fails the queued jobs. Under a holder it runs later (launch.ts):
  // until then the lifecycle is 'starting' with no shell, and the daemon serves on meanwhile.
  start(): void {
    const { config, audience } = this.host;
    const { cols, rows } = audience.size;
    const { shell: sh, command, env, dir, holder, sandbox } = config;
    // A sandboxed program: its argv wrapped (cgroup, bwrap, prlimit), started in the project
    // directory; the holder, when there is one, starts the wrapped argv.
    const wrap = sandbox === undefined ? undefined : (argv: string[]) => sandbox.wrap(argv);
    const spec = { shell: sh, command, cwd: sandbox?.cwd ?? config.cwd, env, dir, shellDir: sandbox?.shellDir, owner: sandbox?.owner, cols, rows, holder, wrap };
    let shell: Shell | null = null;
    const handlers = this.handlers(() => shell as Shell);
    try {
      if (holder === null) return this.begin((shell = Shell.spawn(spec, handlers)));
      this.launch = new Launch(
        Shell.launch({ ...spec, holder }, handlers),
        (made) => ((this.launch = null), this.begin((shell = made))),
        (err) => ((this.launch = null), (this.lifecycle = 'stopped'), this.failed(err), audience.ended(-1, 0)),
      );
      this.lifecycle = 'starting';
    } catch (err) {
      this.failed(err);
    }
  }

  // Resolves once a start under way ended (the program runs, or it could not start).
  launched(): Promise<void> {
    return this.launch?.done ?? Promise.resolve();
  }

  // Ends a start under way: its holder is killed (and its program with it), nothing waits for it.
  private cancelLaunch(): void {
    if (this.launch !== null) this.lifecycle = 'stopped';
    this.launch?.cancel();
    this.launch = null;
  }

  private failed(err: unknown): void {
    const message = `cannot start ${this.host.command}: ${(err as Error).message}`;
    this.host.log.error({ evt: 'session.spawn_failed', err }, message);
    this.host.runner.failQueued(message);
  }

  // The program runs: tell its session, and wait for its first prompt.
  private begin(shell: Shell): void {
    const { config, log, runner, audience } = this.host;
    this.shell = shell;
    this.holds.reset();
    // The size may have changed while a holder started (a client attached meanwhile).
    if (shell.link !== null) shell.pty.resize(audience.size.cols, audience.size.rows);
    // pty.pid: the PTY's child (for a sandbox, its outermost wrapper: the program is not there yet).
    log.info({ evt: 'session.spawned', pid: shell.pty.pid, command: config.command?.[0] ?? config.shell, holder: shell.link !== null, cloexec: shell.pty.cloexec, sandbox: config.sandbox?.profileName }, 'program started');
    if (!shell.pty.cloexec) log.warn({ evt: 'session.master_inheritable' }, 'cannot mark the PTY master close-on-exec (termios addon missing?): programs started later inherit it');
    runner.reset();
    this.host.started(shell.pid, shell.pty.pts);
    this.host.onLifecycle();
    this.lifecycle = this.isCommand ? 'ready' : 'starting';
    if (!this.isCommand) this.startTimer = setTimeout(() => this.onStartTimeout(), STARTUP_TIMEOUT_MS);
  }

  // Takes over a program an earlier daemon started, whose PTY master is the inherited `fd` (its
  // holder's `link`, when a crashed daemon left it, and the output it kept, `pending`); frozen
  // until thaw().
  adopt(h: ShellHandover | null, fd: number | null, lifecycle: Lifecycle, link: HolderLink | null, pending: Buffer | null): void {
    if (h !== null && fd !== null) {
      const shell: Shell = Shell.adopt(h, fd, this.handlers(() => shell), link, pending);
      this.shell = shell;
    }
    this.lifecycle = this.shell === null ? 'stopped' : lifecycle;
    if (this.shell !== null) this.host.started(this.shell.pid, this.shell.pty.pts);
    if (this.lifecycle === 'starting') this.startTimer = setTimeout(() => this.onStartTimeout(), STARTUP_TIMEOUT_MS);
  }

  // Stops reading and typing for a handover; resolves with typed input not yet written.
  async freeze(): Promise<Buffer> {
    await this.launched(); // a handover takes the program once it runs
    return (await this.shell?.pty.freeze()) ?? Buffer.alloc(0);
  }

  // Reads and types again, `input` first.
  thaw(input: Buffer): void {
    this.shell?.thaw(input);
  }

  // A mark the dead daemon saw after its last snapshot (a crash's journal), as if read now.
  replayMark(ev: MarkEvent): void {
    const shell = this.shell;
    if (shell === null) return;
    if (ev.type === 'mark' && ev.kind === 'A' && this.lifecycle === 'starting') this.onReady(shell);
    this.event(ev);
  }

  // A mark or output between marks, for the job runner; output while no job runs, from a job's
  // end (D) or the prompt's (B) to the next prompt (A) or command (C), also to `idle`.
  private event(ev: MarkEvent): void {
    const runner = this.host.runner;
    if (ev.type === 'data') {
      if (this.noJob()) this.idle.data(ev.data);
      else this.idle.close();
    } else if (ev.kind === 'A') this.idle.close();
    else if (ev.kind === 'C' || ev.kind === 'T') this.idle.accepted(); // a typed-ahead line's echo is not output
    // Return's binding (a T mark) redraws the prompt, B and all, before the line's echo: not a prompt.
    if (ev.type === 'mark' && (ev.kind === 'T' || ev.kind === 'A')) this.redrawn = ev.kind === 'T';
    if (ev.type === 'mark' && ev.kind === 'B') return this.redrawn ? void (this.redrawn = false) : this.idle.opening(this.noJob());
    runner.onEvent(ev);
    if (ev.type === 'mark' && ev.kind === 'D') this.idle.opening(this.noJob());
  }

  // No job runs, none is about to start, and the terminal is not being repaired.
  private noJob(): boolean {
    const runner = this.host.runner;
    return runner.foreground() === null && (runner.state === 'idle' || runner.state === 'finishing');
  }

  // Lets go of the program without ending it (its holder keeps it); stops reading.
  detach(): void {
    this.cancelLaunch();
    const shell = this.shell;
    this.shell = null;
    this.lifecycle = 'stopped';
    this.clearStartTimer();
    shell?.detach();
  }

  // Hangs the program up (SIGHUP, as a terminal would); one that ignores it is killed.
  hangUp(): void {
    this.cancelLaunch();
    const shell = this.shell;
    if (shell === null) return;
    shell.hangUp();
  }

  // The shell replaced itself with `exec CMD` while a job ran: no mark will ever come again.
  onReplaced(cmd: string): void {
    const shell = this.shell;
    const { log, runner, name } = this.host;
    if (shell === null) return;
    log.warn({ evt: 'session.replaced' }, 'the shell replaced itself with exec');
    this.shell = null;
    this.lifecycle = 'stopped';
    this.host.stopped();
    runner.endNotice = `the previous shell of session "${name}" replaced itself (exec ${cmd.split('\0')[0] ?? ''}) and was ended`;
    runner.finish({ kind: 'shell-exit', status: 0, message: 'the shell replaced itself with `exec`; it no longer runs requests and will be ended' });
    shell.pty.kill('SIGHUP');
    if (runner.queued() > 0) this.start();
  }

  // What the program's PTY tells us, for `self()` (the shell being made).
  private handlers(self: () => Shell): ShellHandlers {
    return {
      onOutput: (data) => {
        if (this.shell !== self()) return;
        this.holds.meter(data.length);
        const shown = this.host.runner.display(data);
        if (shown.length > 0) this.host.audience.output(shown);
        this.host.runner.sawRaw(data);
        this.host.sawOutput(data);
      },
      onEvent: (ev) => {
        const shell = self();
        if (this.shell !== shell) return;
        if (ev.type === 'mark' && ev.kind === 'A' && this.lifecycle === 'starting') this.onReady(shell);
        this.event(ev);
      },
      onExit: (code, signal) => this.onExit(self(), code, signal),
    };
  }

  private onReady(shell: Shell): void {
    this.clearStartTimer();
    this.lifecycle = 'ready';
    shell.ready();
    this.host.log.debug({ evt: 'session.ready' }, 'first prompt');
    this.host.onLifecycle();
  }

  private onStartTimeout(): void {
    this.startTimer = null;
    if (this.lifecycle !== 'starting') return;
    const message = `the shell printed no prompt within ${STARTUP_TIMEOUT_MS / 1000} s; is ~/.bashrc waiting for input, or is --shell not bash?`;
    this.host.log.error({ evt: 'session.start_timeout' }, message);
    this.host.runner.failQueued(message);
  }

  private clearStartTimer(): void {
    if (this.startTimer !== null) clearTimeout(this.startTimer);
    this.startTimer = null;
  }

  private onExit(shell: Shell, code: number | null, signal: number): void {
    if (this.shell !== shell) return; // an old, replaced shell
    const { log, runner, audience, config, name } = this.host;
    const neverReady = this.lifecycle === 'starting';
    this.shell = null;
    this.lifecycle = 'stopped';
    this.clearStartTimer();
    const how = signal !== 0 ? `was killed by signal ${signal}` : code === null ? EXIT_UNKNOWN : `exited with status ${code}`;
    log.info({ evt: 'session.exited', code, signal }, 'program ended');
    this.host.stopped();
    audience.ended(code ?? -1, signal);
    if (this.isCommand) {
      audience.dispose();
      config.onGone?.(code, signal);
      return;
    }
    runner.endNotice = `the previous shell of session "${name}" ${how} at ${new Date().toISOString()}; this is a new shell`;
    const status = signal !== 0 ? 128 + signal : code;
    runner.finish({ kind: 'shell-exit', status, message: `the shell ${how} while running this command; the next request starts a new shell` });
    if (neverReady) {
      // Restarting would fail the same way, forever: fail the waiting requests instead.
      runner.endNotice = null;
      const message = `the shell ${how} before its first prompt; check --shell, ~/.bashrc and that the home directory exists`;
      log.error({ evt: 'session.start_failed', code, signal }, message);
      runner.failQueued(message);
      return;
    }
    if (runner.queued() > 0) this.start();
  }
}
