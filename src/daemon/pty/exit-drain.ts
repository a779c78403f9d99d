// Reading a PTY to its very last byte after its program exited (DESIGN.md §7): the kernel reports
// EIO on the master once the last slave fd closes, sometimes before every byte was read. The drain
// holds a slave fd of its own, so EIO never comes early; once the program has exited it writes a
// random sentinel into the slave and keeps reading until the sentinel comes out of the master.
// Everything before it is the program's output, complete. Used for PTYs we spawned (pty.ts) and
// for PTYs adopted from an earlier daemon process.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

// Upper bound on draining after the exit, for a terminal whose output is stopped (XOFF).
const DRAIN_MAX_MS = 2_000;

export class ExitDrain {
  private slaveFd: number | null = null;
  private sentinel: Buffer | null = null;
  private carry: Buffer = Buffer.alloc(0);
  private done: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  // Opens the slave `pts` (/dev/pts/N); without it the drain passes everything through.
  constructor(
    pts: string | null,
    private readonly emit: (data: Buffer) => void,
  ) {
    if (pts === null || !pts.startsWith('/dev/')) return;
    try {
      this.slaveFd = fs.openSync(pts, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    } catch {
      // without it the caller sees the kernel's early EIO, as before
    }
  }

  // True while the drain holds the slave open (EIO cannot come before the drain ends it).
  get holding(): boolean {
    return this.slaveFd !== null;
  }

  // True once begin() was called.
  get draining(): boolean {
    return this.sentinel !== null;
  }

  // The program exited: writes the sentinel; `read` makes sure the master is being read, and
  // `done` is called once everything before the sentinel was emitted (or after DRAIN_MAX_MS).
  begin(read: () => void, done: () => void): void {
    if (this.sentinel !== null) return;
    if (this.slaveFd === null) return done();
    this.sentinel = Buffer.from(`\x1b]pty-relay-drain;${crypto.randomBytes(12).toString('hex')}\x07`, 'latin1');
    this.done = done;
    this.timer = setTimeout(() => {
      // No sentinel (output stopped?): what we held back is output after all.
      if (this.carry.length > 0) this.emit(this.carry);
      this.carry = Buffer.alloc(0);
      this.finish();
    }, DRAIN_MAX_MS);
    try {
      fs.writeSync(this.slaveFd, this.sentinel);
    } catch {
      return this.finish();
    }
    read(); // a paused stream would never reach the sentinel
  }

  // Output from the master.
  data(chunk: Buffer): void {
    if (this.sentinel === null) return this.emit(chunk);
    if (this.done === null) return; // already complete: nothing after the sentinel is output
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

  // Lets go of the slave without draining (the PTY was handed to another process).
  close(): void {
    if (this.slaveFd === null) return;
    try {
      fs.closeSync(this.slaveFd);
    } catch {
      // already closed
    }
    this.slaveFd = null;
  }

  private finish(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const done = this.done;
    this.done = null;
    this.close();
    done?.();
  }
}
