// The only module that imports node-pty: a typed adapter that always hands out Buffers and never
// loses the last bytes a program printed before it exited.
//
// node-pty 1.1.0 loses the tail of the output when the child exits (DESIGN.md §7): the kernel
// reports EIO on the master once the last slave fd closes, sometimes before every byte was read,
// and node-pty destroys its read stream 200 ms after the exit even if reading was paused. This
// adapter holds a slave fd of its own, so EIO never comes early, and defers node-pty's destroy:
// when the child has exited it writes a random sentinel into the slave and keeps reading until the
// sentinel comes out of the master. Everything before it is the program's output, complete.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePty from 'node-pty';

export interface PtyOptions {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

export interface Pty {
  readonly pid: number;
  readonly pts: string | null; // the slave's path (/dev/pts/N), when node-pty tells it
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: NodeJS.Signals): void;
}

export interface PtyHandlers {
  onData(data: Buffer): void;
  // Called once, after the last output byte was delivered through onData.
  onExit(exitCode: number, signal: number): void;
}

export const TERM_NAME = 'xterm-256color';
// Upper bound on draining after the exit, for a terminal whose output is stopped (XOFF).
const DRAIN_MAX_MS = 2_000;

interface NodePtyInternals {
  _socket: { destroy(err?: Error): void; resume(): void };
  ptsName?: string;
}

// Spawns `file` in a new PTY. Throws what node-pty throws when the program cannot be started.
export function spawnPty(opts: PtyOptions, handlers: PtyHandlers): Pty {
  const p = nodePty.spawn(opts.file, opts.args, {
    name: TERM_NAME,
    cols: opts.cols,
    rows: opts.rows,
    cwd: opts.cwd,
    env: opts.env as Record<string, string>,
    // With encoding null node-pty emits Buffers, although its typings say string.
    encoding: null,
  } as nodePty.IPtyForkOptions);
  const drain = new ExitDrain(p as unknown as NodePtyInternals, handlers.onData);
  p.onData((d: string | Buffer) => drain.data(typeof d === 'string' ? Buffer.from(d) : d));
  // node-pty emits exit after its read stream closed, which the drain delays until the end.
  p.onExit(({ exitCode, signal }) => handlers.onExit(exitCode, signal ?? 0));
  const pts = (p as unknown as NodePtyInternals).ptsName;
  return {
    pid: p.pid,
    pts: typeof pts === 'string' ? pts : null,
    write: (data) => p.write(data as string),
    resize: (cols, rows) => p.resize(cols, rows),
    pause: () => p.pause(),
    resume: () => p.resume(),
    kill: (signal) => {
      try {
        p.kill(signal);
      } catch {
        // already gone
      }
    },
  };
}

// Holds a slave fd and turns node-pty's post-exit destroy into "read up to the sentinel, then destroy".
class ExitDrain {
  private slaveFd: number | null = null;
  private sentinel: Buffer | null = null;
  private carry: Buffer = Buffer.alloc(0);
  private finish: (() => void) | null = null;

  constructor(
    private readonly p: NodePtyInternals,
    private readonly emit: (data: Buffer) => void,
  ) {
    const pts = p.ptsName;
    if (typeof pts !== 'string' || !pts.startsWith('/dev/')) return;
    try {
      this.slaveFd = fs.openSync(pts, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    } catch {
      return; // without it we fall back to node-pty's own behaviour
    }
    const socket = p._socket;
    const destroy = socket.destroy.bind(socket);
    let timer: NodeJS.Timeout | null = null;
    this.finish = () => {
      if (timer !== null) clearTimeout(timer);
      this.finish = null;
      this.closeSlave();
      destroy();
    };
    // node-pty calls this 200 ms after the child exited (and when it is torn down).
    socket.destroy = (err?: Error) => {
      if (this.finish === null || this.sentinel !== null) return destroy(err);
      this.sentinel = Buffer.from(`\x1b]pty-relay-drain;${crypto.randomBytes(12).toString('hex')}\x07`, 'latin1');
      timer = setTimeout(() => {
        // No sentinel (output stopped?): what we held back is output after all.
        if (this.carry.length > 0) this.emit(this.carry);
        this.carry = Buffer.alloc(0);
        this.finish?.();
      }, DRAIN_MAX_MS);
      try {
        fs.writeSync(this.slaveFd as number, this.sentinel);
      } catch {
        return this.finish();
      }
      socket.resume(); // a paused stream would never reach the sentinel
    };
  }

  data(chunk: Buffer): void {
    if (this.sentinel === null) return this.emit(chunk);
    if (this.finish === null) return; // already complete: nothing after the sentinel is output
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const at = buf.indexOf(this.sentinel);
    if (at !== -1) {
      if (at > 0) this.emit(buf.subarray(0, at));
      this.carry = Buffer.alloc(0);
      this.finish();
      return;
    }
    const keep = Math.min(buf.length, this.sentinel.length - 1);
    if (buf.length > keep) this.emit(buf.subarray(0, buf.length - keep));
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
  }

  private closeSlave(): void {
    if (this.slaveFd === null) return;
    try {
      fs.closeSync(this.slaveFd);
    } catch {
      // already closed
    }
    this.slaveFd = null;
  }
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
