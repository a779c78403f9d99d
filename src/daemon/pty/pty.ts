// pty/ owns the terminal device under a session: this adapter (the only importer of node-pty),
// draining a program's last bytes at its exit (exit-drain.ts), non-blocking writes to the master
// (master-writer.ts), the terminal's modes (termios.ts, the termios.node addon) and the /proc
// readings about the processes on it (proc.ts). It knows nothing of shells, jobs or clients.
//
// The only module that imports node-pty: a typed adapter that always hands out Buffers, never
// loses the last bytes a program printed before it exited (exit-drain.ts), and can hand its PTY to
// another daemon process (upgrade/): freeze() stops reading and writing with nothing in flight,
// and adoptPty() takes over a PTY whose master fd was inherited from an earlier daemon.
//
// node-pty internals used here (checked against node-pty 1.1.0): `_socket`, its tty.ReadStream on
// the master, whose `destroy` node-pty calls 200 ms after the child exited; `ptsName`; and the
// native resize, reached through UnixTerminal.prototype.resize with a bare `{ _fd }`.
import * as tty from 'node:tty';
import * as nodePty from 'node-pty';
import type { TerminalProgram } from '../base/terminal-program';
import { ExitDrain } from './exit-drain';
import { MasterWriter } from './master-writer';
import { readLife } from './proc';
import { closeOnExec } from './termios';

export interface Pty {
  readonly pid: number;
  readonly pts: string | null; // the slave's path (/dev/pts/N), when node-pty tells it
  readonly fd: number; // the master, for handing the PTY to a new daemon
  // The master is close-on-exec, so no program started later (another session's shell) inherits
  // it; false only when the termios addon is missing or fcntl failed (logged by the session).
  readonly cloexec: boolean;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: NodeJS.Signals): void;
  // Stops reading and writing, for a handover: output already read reaches onData first; resolves
  // with typed input not yet written.
  freeze(): Promise<Buffer>;
  // Reads and writes again (a handover called off, or an adopted PTY going live), `input` first.
  thaw(input: Buffer): void;
}

export interface PtyHandlers {
  onData(data: Buffer): void;
  // Called once, after the last output byte was delivered through onData. `exitCode` is null when
  // it cannot be known: the program was started by an earlier daemon process, which alone could
  // collect its status.
  onExit(exitCode: number | null, signal: number): void;
}

export const TERM_NAME = 'xterm-256color';
// How often an adopted program is checked for having exited: no SIGCHLD comes for a process we
// did not start, and Node has no pidfd. A /proc read per session each time; the exit shows this late.
const ADOPTED_POLL_MS = 250;

interface ReadStreamInternals {
  destroy(err?: Error): void;
  pause(): void;
  resume(): void;
  read(): Buffer | null;
  _handle?: { reading: boolean; readStop(): number; readStart(): number } | null;
}

interface NodePtyInternals {
  _socket: ReadStreamInternals;
  ptsName?: string;
  fd: number;
}

// node-pty's resize, for any master fd (the native call is ioctl TIOCSWINSZ on it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const unixTerminal = require('node-pty/lib/unixTerminal') as { UnixTerminal: { prototype: { resize(this: { _fd: number }, cols: number, rows: number): void } } };

// Spawns `file` in a new PTY. Throws what node-pty throws when the program cannot be started.
export function spawnPty(opts: TerminalProgram, handlers: PtyHandlers): Pty {
  const p = nodePty.spawn(opts.file, opts.args, {
    name: TERM_NAME,
    cols: opts.cols,
    rows: opts.rows,
    cwd: opts.cwd,
    env: opts.env as Record<string, string>,
    // With encoding null node-pty emits Buffers, although its typings say string.
    encoding: null,
  } as nodePty.IPtyForkOptions);
  const inner = p as unknown as NodePtyInternals;
  // node-pty opens the master without FD_CLOEXEC: mark it before anything else is spawned.
  const cloexec = closeOnExec(inner.fd);
  const pts = typeof inner.ptsName === 'string' ? inner.ptsName : null;
  const drain = new ExitDrain(pts, handlers.onData);
  const socket = inner._socket;
  const destroy = socket.destroy.bind(socket);
  // node-pty calls this 200 ms after the child exited (and when it is torn down): drain first.
  socket.destroy = (err?: Error) => {
    if (!drain.holding || drain.draining) return destroy(err);
    drain.begin(() => socket.resume(), () => destroy());
  };
  p.onData((d: string | Buffer) => drain.data(typeof d === 'string' ? Buffer.from(d) : d));
  // node-pty emits exit after its read stream closed, which the drain delays until the end.
  p.onExit(({ exitCode, signal }) => handlers.onExit(exitCode, signal ?? 0));
  return adapter(p.pid, pts, inner.fd, cloexec, socket, { kill: (signal) => p.kill(signal), start: null });
}

// Takes over a PTY started by an earlier daemon process: its master is `fd` (inherited), its
// program `pid`, started at `startTime` (/proc clock ticks, to tell a reused pid apart). Nothing is
// read, and the program is not watched, until the first thaw(): until then a process that died
// half-way through a handover can have taken nothing from the PTY.
export function adoptPty(fd: number, pid: number, startTime: number, pts: string | null, handlers: PtyHandlers): Pty {
  return masterPty(fd, pid, pts, handlers, { startTime, frozen: true });
}

// A PTY whose program a session holder started (holder/): its master is `fd`; `exitFrom` tells
// its wait status when it ends, or null when the holder went away without saying (then /proc is
// watched, as for an adopted program). `frozen` as adoptPty.
export function heldPty(fd: number, pid: number, pts: string | null, handlers: PtyHandlers, exitFrom: (cb: (waitStatus: number | null) => void) => void, frozen: boolean): Pty {
  return masterPty(fd, pid, pts, handlers, { startTime: readLife(pid)?.startTime ?? -1, frozen, exitFrom });
}

function masterPty(fd: number, pid: number, pts: string | null, handlers: PtyHandlers, o: { startTime: number; frozen: boolean; exitFrom?: (cb: (waitStatus: number | null) => void) => void }): Pty {
  const stream = new tty.ReadStream(fd) as unknown as ReadStreamInternals & NodeJS.EventEmitter;
  const drain = new ExitDrain(pts, handlers.onData);
  let ended = false;
  let poll: NodeJS.Timeout | null = null;
  const end = (code: number | null, signal: number): void => {
    if (ended) return;
    ended = true;
    if (poll !== null) clearInterval(poll);
    drain.close();
    stream.destroy();
    handlers.onExit(code, signal);
  };
  // The program ended with wait status `ws` (null: unknown): read to its last byte, then tell.
  const ended_ = (ws: number | null): void => {
    if (poll !== null) clearInterval(poll);
    const code = ws === null ? null : (ws >> 8) & 0xff;
    const signal = ws === null ? 0 : ws & 0x7f;
    drain.begin(() => stream.resume(), () => end(signal !== 0 ? 0 : code, signal));
  };
  const check = (): void => {
    const life = readLife(pid);
    if (life !== null && life.startTime === o.startTime && life.state !== 'Z') return;
    ended_(life?.startTime === o.startTime ? life.waitStatus : null); // a zombie not yet reaped tells
  };
  // EIO: every slave fd is closed (we could not hold one): the program is gone.
  stream.on('error', () => end(null, 0));
  const watchProc = (): void => {
    poll = setInterval(check, ADOPTED_POLL_MS);
    poll.unref();
  };
  const start = (): void => {
    // A 'data' listener starts the stream reading: only now.
    stream.on('data', (d: Buffer) => drain.data(d));
    if (o.exitFrom === undefined) return watchProc();
    // Null (the holder went away without saying) and later a status (a holder taken over again): fine.
    o.exitFrom((ws) => (ws !== null ? ended_(ws) : poll === null ? watchProc() : undefined));
  };
  const kill = (signal?: NodeJS.Signals): void => {
    process.kill(pid, signal ?? 'SIGHUP');
  };
  // upgrade/incoming.ts marked an inherited master close-on-exec already, and a holder's comes so
  // (MSG_CMSG_CLOEXEC); idempotent, and says whether it is.
  if (o.frozen) return adapter(pid, pts, fd, closeOnExec(fd), stream, { kill, start });
  start();
  return adapter(pid, pts, fd, closeOnExec(fd), stream, { kill, start: null });
}

// The Pty over a master's read stream; writes go through our own queue (master-writer.ts). With
// `start` (an adopted PTY) it begins frozen, and the first thaw() calls `start` before reading.
function adapter(pid: number, pts: string | null, fd: number, cloexec: boolean, socket: ReadStreamInternals, o: { kill(signal?: NodeJS.Signals): void; start: (() => void) | null }): Pty {
  const writer = new MasterWriter(fd);
  let paused = false;
  let frozen = o.start !== null;
  let start = o.start;
  if (frozen) void writer.take(); // nothing is typed either before the first thaw
  // Reads again. After freeze() the stream believes a read is under way (it asked and got no
  // answer), so it would never ask libuv again by itself: restart the handle as its _read would.
  const readAgain = (): void => {
    socket.resume();
    const handle = socket._handle;
    if (handle?.reading === false) {
      handle.reading = true;
      handle.readStart();
    }
  };
  return {
    pid,
    pts,
    fd,
    cloexec,
    write: (data) => writer.write(data),
    resize: (cols, rows) => {
      try {
        unixTerminal.UnixTerminal.prototype.resize.call({ _fd: fd }, cols, rows);
      } catch {
        // the terminal is gone
      }
    },
    pause: () => {
      paused = true;
      socket.pause();
    },
    resume: () => {
      paused = false;
      if (!frozen) readAgain();
    },
    kill: (signal) => {
      try {
        o.kill(signal);
      } catch {
        // already gone
      }
    },
    freeze: () => {
      frozen = true;
      socket.pause();
      // What the stream already read goes to its 'data' listeners now; then libuv stops reading, so
      // every byte after this stays in the kernel for the next reader.
      while (socket.read() !== null);
      const handle = socket._handle;
      if (handle?.reading === true) {
        handle.reading = false;
        handle.readStop();
      }
      return writer.take();
    },
    thaw: (input) => {
      frozen = false;
      start?.();
      start = null;
      writer.release(input);
      if (!paused) readAgain();
    },
  };
}

// Runs `printf` in a PTY and returns what it printed: proves the native addon loads and works.
export function ptySelfTest(): Promise<string> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    spawnPty(
      { file: '/bin/sh', args: ['-c', 'printf pty-self-test-ok'], cwd: '/', env: { PATH: '/usr/bin:/bin' }, cols: 80, rows: 24 },
      { onData: (d) => out.push(d), onExit: () => resolve(Buffer.concat(out).toString()) },
    );
  });
}
