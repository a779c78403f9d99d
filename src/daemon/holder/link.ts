// holder/ owns the daemon's side of session holders (the small process that keeps a session's
// terminal while daemons come and go, src/native/holder.c): starting one (spawn.ts) and this link.
//
// The daemon's end of one session holder (src/native/holder.c has the protocol): connects through
// holder_link.node, which checks that the holder is ours and receives the PTY master, then reads
// what the holder buffered while no daemon was connected and, later, the program's exit status.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { RelayError } from '../../errors';
import { loadAddon } from '../../native/addon';

// What the holder says first.
export interface HolderHello {
  pid: number; // the session's program
  status: number | null; // its wait status, when it already ended
  buffered: number; // bytes of output that follow the hello
  lost: number; // bytes the holder had to drop (its buffer was full)
  pts: string | null;
}

interface Connected {
  control: number;
  master: number;
  hello: string;
  extra: Buffer;
}

interface LinkAddon {
  connect(path: string, timeoutMs: number): Connected | string;
  connectAsync(path: string, timeoutMs: number, holderPid: number): Promise<Connected | string>;
  memfd(name: string, bytes: Buffer): number | string;
}

let addon: LinkAddon | null | undefined;

// The addon, or null (with the reason logged by the caller) where it cannot load.
export function linkAddon(): { ok: true; link: LinkAddon } | { ok: false; reason: string } {
  if (addon === undefined) {
    const loaded = loadAddon('holder_link');
    addon = loaded.ok ? (loaded.module as LinkAddon) : null;
    if (!loaded.ok) return { ok: false, reason: loaded.reason };
  }
  return addon === null ? { ok: false, reason: 'holder_link.node did not load' } : { ok: true, link: addon };
}

// Parses "PTYH 1 pid=P status=S buffered=N lost=L pts=PATH"; null when it is not that.
export function parseHello(line: string): HolderHello | null {
  const m = /^PTYH 1 pid=(\d+) status=(-1|\d+) buffered=(\d+) lost=(\d+) pts=(\S+)$/.exec(line);
  if (m === null) return null;
  const status = Number(m[2]);
  return { pid: Number(m[1]), status: status < 0 ? null : status, buffered: Number(m[3]), lost: Number(m[4]), pts: m[5] === '-' ? null : (m[5] as string) };
}

// Splits the control stream: first `buffered` bytes of output, then "exit S" lines. Any chunking.
export class HolderStream {
  private left: number;
  private line = '';

  constructor(buffered: number) {
    this.left = buffered;
  }

  // True while buffered output is still to come.
  get pending(): boolean {
    return this.left > 0;
  }

  push(chunk: Buffer): Array<{ type: 'output'; data: Buffer } | { type: 'exit'; status: number }> {
    const out: Array<{ type: 'output'; data: Buffer } | { type: 'exit'; status: number }> = [];
    if (this.left > 0) {
      const n = Math.min(this.left, chunk.length);
      out.push({ type: 'output', data: chunk.subarray(0, n) });
      this.left -= n;
      chunk = chunk.subarray(n);
    }
    this.line += chunk.toString('latin1');
    let nl: number;
    while ((nl = this.line.indexOf('\n')) !== -1) {
      const m = /^exit (\d+)$/.exec(this.line.slice(0, nl));
      this.line = this.line.slice(nl + 1);
      if (m !== null) out.push({ type: 'exit', status: Number(m[1]) });
    }
    if (this.line.length > 256) this.line = ''; // nothing the holder says is that long
    return out;
  }
}

// A connected holder.
export class HolderLink {
  private readonly control: net.Socket;
  private readonly controlFd: number;
  private readonly stream: HolderStream;
  private exitStatus: number | null = null;
  private lost = false;
  private onExitCb: ((status: number | null) => void) | null = null;
  private readonly buffered: Buffer[] = [];
  private bufferedDone: (() => void) | null = null;

  private constructor(
    readonly path: string,
    readonly master: number,
    readonly hello: HolderHello,
    control: number,
    extra: Buffer,
  ) {
    this.stream = new HolderStream(hello.buffered);
    this.exitStatus = hello.status;
    this.controlFd = control;
    this.control = new net.Socket({ fd: control, readable: true, writable: true });
    this.control.on('data', (d: Buffer) => this.take(d));
    this.control.on('error', () => undefined);
    this.control.on('close', () => {
      this.lost = true;
      this.bufferedDone?.();
      this.onExitCb?.(this.exitStatus);
    });
    if (extra.length > 0) this.take(extra);
  }

  // Connects to the holder at `path` (waiting up to timeoutMs for a holder that is starting).
  // Blocks the event loop while it waits: for a holder that answers at once (one already running).
  static connect(path: string, timeoutMs: number): HolderLink {
    return HolderLink.made(path, HolderLink.addon().connect(path, timeoutMs));
  }

  // The same, waiting on a worker thread: for a holder that is just starting, which a loaded
  // machine may take a second or more to run at all. Only the holder process `holderPid` (the
  // one just started) is taken; the waiting ends once it ended.
  static async connectAsync(path: string, timeoutMs: number, holderPid: number): Promise<HolderLink> {
    return HolderLink.made(path, await HolderLink.addon().connectAsync(path, timeoutMs, holderPid));
  }

  private static addon(): LinkAddon {
    const a = linkAddon();
    if (!a.ok) throw new RelayError('PR_ERR_HOLDER', `cannot reach session holders: ${a.reason}`);
    return a.link;
  }

  private static made(path: string, r: Connected | string): HolderLink {
    if (typeof r === 'string') throw new RelayError('PR_ERR_HOLDER', `holder ${path}: ${r}`);
    const hello = parseHello(r.hello);
    if (hello === null) {
      fs.closeSync(r.control);
      fs.closeSync(r.master);
      throw new RelayError('PR_ERR_HOLDER', `holder ${path}: unexpected hello`);
    }
    return new HolderLink(path, r.master, hello, r.control, r.extra);
  }

  // True once the holder's end closed (it went, or a newer daemon process took it over).
  get gone(): boolean {
    return this.lost;
  }

  // Resolves with the output the holder kept while no daemon was connected.
  async takeBuffered(): Promise<Buffer> {
    if (this.stream.pending && !this.lost) await new Promise<void>((resolve) => (this.bufferedDone = resolve));
    this.bufferedDone = null;
    return Buffer.concat(this.buffered.splice(0));
  }

  // Called once with the program's wait status when it ends, or with null when the holder went
  // away without saying (killed): then the status cannot be known.
  onExit(cb: (status: number | null) => void): void {
    this.onExitCb = cb;
    if (this.exitStatus !== null) queueMicrotask(() => cb(this.exitStatus));
  }

  // Asks the holder to hang the session up (SIGHUP to the program's process group). Written at
  // once (a daemon that shuts down exits right after): seven bytes always fit in the socket.
  hangup(): void {
    if (this.lost) return;
    try {
      fs.writeSync(this.controlFd, 'hangup\n');
    } catch {
      // the holder is gone already
    }
  }

  // Lets go of the holder: it keeps the session (and buffers its output) for the next daemon.
  release(): void {
    this.onExitCb = null;
    this.control.destroy();
  }

  private take(chunk: Buffer): void {
    for (const ev of this.stream.push(chunk)) {
      if (ev.type === 'output') this.buffered.push(Buffer.from(ev.data));
      else {
        this.exitStatus = ev.status;
        const cb = this.onExitCb;
        this.onExitCb = null;
        cb?.(ev.status);
      }
    }
    if (!this.stream.pending) this.bufferedDone?.();
  }
}
