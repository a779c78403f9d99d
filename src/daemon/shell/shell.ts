// shell/ owns bash and its integration: starting bash in a PTY with our generated rc
// (shell-integration.ts) and parsing the marks it prints (marks.ts), the guard that keeps a
// request's `exit`, `set -e` and options inside the request (request-guard.ts) and the rebirth of a
// shell that died anyway (shell-rebirth.ts), the environment a request's commands get
// (request-env.ts), the one script file a job's text is sourced from (script-file.ts), and the
// output modes (newlines.ts: output processing off for exec jobs, "\r\n" still for terminals). It
// knows nothing of jobs or clients; jobs/ drives it and session/ owns it.
//
// A session's program in its PTY: for a shell session, bash with our rc file (shell-integration.ts)
// whose output is split into plain output and the shell's marks (marks.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MarkParser, type MarkEvent } from './marks';
import type { HolderLink } from '../holder/link';
import { startHolder, type HolderPolicy, type HolderStart } from '../holder/spawn';
import type { TerminalProgram } from '../base/terminal-program';
import { adoptPty, heldPty, spawnPty, TERM_NAME, type Pty, type PtyHandlers } from '../pty/pty';
import { innermostPid, readCmdline, readLife, signalSession } from '../pty/proc';
import { SCRIPT_FILE_NAME } from './script-file';
import { INTEGRATION, renderRc } from './shell-integration';
import { writePrivateFile, type FileOwner } from '../base/runtime-dir';

export interface ShellSpec {
  shell: string;
  command?: string[]; // a program to run instead of an integrated shell
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  dir: string; // private directory for the holder's socket, and the rc and script files unless…
  shellDir?: string; // … a sandbox sees only this one (inside `dir`): the rc and script files
  owner?: FileOwner | null; // who they belong to (a root daemon's sandbox user); absent: the daemon
  holder: HolderPolicy | null; // start it under a holder (holder/), else through node-pty
  wrap?: (argv: string[]) => string[]; // runs the program inside something (a sandbox); a holder starts the wrapped argv
}

// The processes a wrapped program runs under (a sandbox: bwrap and its PID-namespace init); the
// shell's own pid is found below them.
const WRAPPERS = ['bwrap'];

export interface ShellHandlers {
  onOutput(raw: Buffer): void; // every byte, for the ring, the mirror and the rate limit
  onEvent(ev: MarkEvent): void; // output and marks, for the job state machine
  onExit(code: number | null, signal: number): void; // code null: unknown (see pty.ts)
}

// While a command runs we check this often whether `exec CMD` replaced the shell (no more marks).
const REPLACED_CHECK_MS = 1_000;
// How long a hung-up program gets before SIGKILL.
const KILL_GRACE_MS = 3_000;

let fileCounter = 0;

// What a new daemon needs to take a running program over (upgrade/); the PTY's fd travels apart.
export interface ShellHandover {
  pid: number;
  startTime: number; // /proc start time of pid, to tell a reused pid apart (-1: already gone)
  pts: string | null;
  nonce: string | null; // the marks' nonce; null for a command session (no marks)
  held: Buffer; // bytes the mark parser was holding back
  rcFile: string | null; // still there until the first prompt
  isReady: boolean;
  cmdline: string;
  integration?: number; // the rc's generation (shell-integration.ts); absent: 1
  holder?: boolean; // a holder (holder/) keeps the program; absent: none
  wrapped?: boolean; // the program runs inside a wrapper (a sandbox); pid is the outermost wrapper's
}

export class Shell {
  readonly pty: Pty;
  isReady = false; // the shell printed its first prompt
  cmdline = ''; // bash's own command line, read at the first prompt (to notice `exec CMD`)
  integration = INTEGRATION; // how exec jobs are typed into it (runLine)
  private readonly parser: MarkParser | null;
  private pending: Buffer | null = null; // what the holder kept, read before the terminal at thaw
  private exitCb: ((waitStatus: number | null) => void) | null = null; // the PTY's ear for the holder's exit news
  private readonly feed: (data: Buffer) => void;
  private watch: NodeJS.Timeout | null = null;
  private innerPid: number | null = null; // the wrapped program's pid, once found

  // Spawns the program through node-pty (spec.holder null). Throws when it cannot be started.
  static spawn(spec: ShellSpec, handlers: ShellHandlers): Shell {
    const made = Shell.prepare(spec);
    try {
      return new Shell(made.parser, made.rcFile, made.wrapped, handlers, (h) => spawnPty(made.program, h), null);
    } catch (err) {
      made.drop();
      throw err;
    }
  }

  // Starts the program under a holder (spec.holder): the holder is spawned now (throws when it
  // cannot be), and `shell` resolves once the daemon is connected to it, the event loop free
  // meanwhile; `cancel` ends a start no longer wanted (the holder and its program with it).
  static launch(spec: ShellSpec & { holder: HolderPolicy }, handlers: ShellHandlers): { shell: Promise<Shell>; cancel(): void } {
    const made = Shell.prepare(spec);
    let start: HolderStart;
    try {
      // node-pty sets TERM from its `name`; a holder passes the environment as it is.
      start = startHolder({ ...made.program, env: { ...made.program.env, TERM: TERM_NAME } }, spec.dir, spec.holder);
    } catch (err) {
      made.drop();
      throw err;
    }
    const shell = start.link.then(
      (link) => {
        // The exit is heard from whichever holder link the shell has then (relink() may replace
        // it); a microtask, since the shell is being made when the PTY asks.
        let sh: Shell | null = null;
        sh = new Shell(made.parser, made.rcFile, made.wrapped, handlers, (h) => heldPty(link.master, link.hello.pid, link.hello.pts, h, (cb) => queueMicrotask(() => sh?.followExit(cb)), false), link);
        return sh;
      },
      (err: unknown) => {
        made.drop();
        throw err;
      },
    );
    return { shell, cancel: start.cancel };
  }

  // What both ways of starting need: the rc file written, the argv (wrapped), the mark parser.
  private static prepare(spec: ShellSpec): { program: TerminalProgram; parser: MarkParser | null; rcFile: string | null; wrapped: boolean; drop(): void } {
    const integrated = spec.command === undefined;
    const files = spec.shellDir ?? spec.dir;
    const rcFile = integrated ? path.join(files, `rc-${process.pid}-${++fileCounter}.bash`) : null;
    const nonce = crypto.randomBytes(16).toString('hex');
    const argv = spec.command ?? [spec.shell, '--rcfile', rcFile as string, '-i'];
    const [file, ...args] = spec.wrap === undefined ? argv : spec.wrap(argv);
    const drop = (): void => {
      if (rcFile !== null) fs.rm(rcFile, { force: true }, () => undefined);
    };
    try {
      if (rcFile !== null) writePrivateFile(rcFile, renderRc(nonce, path.join(files, SCRIPT_FILE_NAME)), spec.owner ?? null);
    } catch (err) {
      drop();
      throw err;
    }
    const program = { file: file as string, args, cwd: spec.cwd, env: spec.env, cols: spec.cols, rows: spec.rows };
    return { program, parser: integrated ? new MarkParser(nonce) : null, rcFile, wrapped: spec.wrap !== undefined, drop };
  }

  // Takes over a program an earlier daemon started, whose PTY master is the inherited `fd`, or
  // that a crashed daemon left with its holder (`link`): then `pending`, the output the holder
  // kept, comes first. Nothing is read until pty.thaw().
  // A program with a holder whose link is not there yet (an upgrade: the new daemon connects once
  // the old one let go) gets it through relink() before thaw().
  static adopt(h: ShellHandover, fd: number, handlers: ShellHandlers, link: HolderLink | null = null, pending: Buffer | null = null): Shell {
    const parser = h.nonce === null ? null : new MarkParser(h.nonce, h.held);
    let shell: Shell | null = null;
    const open = (ph: PtyHandlers): Pty => {
      if (link === null && h.holder !== true) return adoptPty(fd, h.pid, h.startTime, h.pts, ph);
      // Without a link by the time it runs, the exit is watched in /proc.
      return heldPty(fd, h.pid, h.pts, ph, (cb) => shell?.followExit(cb), true);
    };
    shell = new Shell(parser, h.rcFile, h.wrapped === true, handlers, open, link);
    shell.pending = pending;
    shell.isReady = h.isReady;
    shell.cmdline = h.cmdline;
    shell.integration = h.integration ?? 1;
    return shell;
  }

  private constructor(
    parser: MarkParser | null,
    private readonly rcFile: string | null,
    private readonly wrapped: boolean,
    handlers: ShellHandlers,
    open: (h: PtyHandlers) => Pty,
    public link: HolderLink | null, // the program's holder, when it has one
  ) {
    this.parser = parser;
    this.feed = (data) => {
      handlers.onOutput(data);
      if (parser !== null) for (const ev of parser.push(data)) handlers.onEvent(ev);
    };
    this.pty = open({
      onData: (data) => this.feed(data),
      onExit: (code, signal) => {
        // Output still held by the parser (a partial mark at the very end) is ordinary output.
        const tail = parser?.flush();
        if (tail !== undefined && tail.length > 0) handlers.onEvent({ type: 'data', data: tail });
        this.removeRc();
        this.watchReplaced(null);
        this.link?.release(); // its status is told: the holder may go
        handlers.onExit(code, signal);
      },
    });
  }

  // Takes the program's holder over (before thaw): its kept output is read first, and its news of
  // the program's exit is listened to (an earlier link that went away said "unknown").
  relink(link: HolderLink, pending: Buffer): void {
    this.link = link;
    this.pending = pending;
    if (this.exitCb !== null) link.onExit(this.exitCb);
  }

  // Reads and types again, `input` first. The holder's kept output comes before anything read from
  // the terminal, which arrives in a later I/O callback; a microtask runs once the caller
  // (Session.thaw) resumed the job runner.
  thaw(input: Buffer): void {
    const kept = this.pending;
    this.pending = null;
    if (kept !== null && kept.length > 0) queueMicrotask(() => this.feed(kept));
    this.pty.thaw(input);
  }

  // Where the PTY learns the program's wait status: the holder link's news, or null (unknown).
  private followExit(cb: (waitStatus: number | null) => void): void {
    this.exitCb = cb;
    if (this.link !== null) this.link.onExit(cb);
    else cb(null);
  }

  // Ends the program as a terminal's hang-up would: SIGHUP to every process of its terminal's
  // session (a job runs in a process group of its own, which a signal to the shell or its group
  // misses: `#!end` left a running `sleep` behind), its holder told too; SIGKILL after the grace.
  hangUp(): void {
    const sid = this.pty.pid;
    const life = readLife(sid);
    signalSession(sid, 'SIGHUP');
    this.pty.kill('SIGHUP');
    this.link?.hangup(); // the holder hangs up the whole process group, and outlives us
    setTimeout(() => {
      // A session id is never given to a new process while a process of that session lives.
      signalSession(sid, 'SIGKILL');
      if (life !== null && readLife(sid)?.startTime === life.startTime) this.pty.kill('SIGKILL');
    }, KILL_GRACE_MS).unref();
  }

  // Lets go of the program (the daemon stops): its holder keeps it, and reads its output, for the
  // next daemon. Without a holder the program is hung up, as before holders.
  detach(): void {
    this.watchReplaced(null);
    if (this.link === null) return this.pty.kill('SIGHUP');
    void this.pty.freeze();
    this.link.release();
  }

  // The state a new daemon needs to take this program over (call while the PTY is frozen).
  handover(): ShellHandover {
    const life = readLife(this.pty.pid);
    return {
      pid: this.pty.pid,
      startTime: life === null || life.state === 'Z' ? -1 : life.startTime,
      pts: this.pty.pts,
      nonce: this.parser?.nonce ?? null,
      held: Buffer.from(this.parser?.held ?? Buffer.alloc(0)),
      rcFile: this.isReady ? null : this.rcFile,
      isReady: this.isReady,
      cmdline: this.cmdline,
      integration: this.integration,
      holder: this.link !== null,
      wrapped: this.wrapped,
    };
  }

  // The program's pid: the PTY's child, or for a wrapped program the process the wrappers run.
  get pid(): number {
    if (!this.wrapped) return this.pty.pid;
    if (this.innerPid !== null) return this.innerPid;
    const found = innermostPid(this.pty.pid, WRAPPERS);
    if (found.final) this.innerPid = found.pid;
    return found.pid;
  }

  // The nonce of its marks; null for a command session.
  get nonce(): string | null {
    return this.parser?.nonce ?? null;
  }

  // The shell printed its first prompt: its rc file is no longer needed.
  ready(): void {
    this.isReady = true;
    this.removeRc();
    // Read now, not at spawn: until bash has exec'd, /proc shows the forking process.
    this.cmdline = readCmdline(this.pid);
  }

  // While a job runs, checks now and then whether the shell replaced itself (`exec CMD`): its
  // command line changed. Calls `onReplaced` with the new one; null stops watching.
  watchReplaced(onReplaced: ((cmdline: string) => void) | null): void {
    if (this.watch !== null) clearInterval(this.watch);
    this.watch = null;
    if (onReplaced === null) return;
    this.watch = setInterval(() => {
      const now = readCmdline(this.pid);
      if (now === '' || this.cmdline === '' || now === this.cmdline) return;
      this.watchReplaced(null);
      onReplaced(now);
    }, REPLACED_CHECK_MS);
    this.watch.unref();
  }

  private removeRc(): void {
    if (this.rcFile !== null) fs.rm(this.rcFile, { force: true }, () => undefined);
  }
}
