// Writes to a PTY master without blocking the event loop: a queue of buffers written in order with
// fs.write on the (non-blocking) master fd; when the terminal's input queue is full (EAGAIN: the
// program is not reading), it retries shortly. For a handover it can stop and give back exactly
// the bytes it has not written yet, so that no keystroke is lost or typed twice.
import * as fs from 'node:fs';

// Retry delay while the terminal's input queue is full: the program reads when it reads; a short
// timer instead of a busy setImmediate loop keeps a stalled session from burning a core.
const RETRY_MS = 10;

export class MasterWriter {
  private queue: Buffer[] = [];
  private inFlight = false;
  private retry: NodeJS.Timeout | null = null;
  private held = false;
  private idle: (() => void) | null = null;

  constructor(private readonly fd: number) {}

  write(data: Buffer | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return;
    this.queue.push(buf);
    this.next();
  }

  // Stops writing once no write is in flight; resolves with the bytes not written yet.
  take(): Promise<Buffer> {
    this.held = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    return new Promise((resolve) => {
      const give = (): void => {
        const rest = Buffer.concat(this.queue);
        this.queue = [];
        resolve(rest);
      };
      if (!this.inFlight) give();
      else this.idle = give;
    });
  }

  // Writes again, starting with `pending` (what take() gave back).
  release(pending: Buffer): void {
    this.held = false;
    if (pending.length > 0) this.queue.unshift(pending);
    this.next();
  }

  // Drops whatever is queued (the program is gone).
  dispose(): void {
    this.held = true;
    this.queue = [];
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
  }

  private next(): void {
    if (this.inFlight || this.held || this.retry !== null) return;
    const buf = this.queue[0];
    if (buf === undefined) return;
    this.inFlight = true;
    fs.write(this.fd, buf, 0, buf.length, null, (err, written) => {
      this.inFlight = false;
      if (err !== null) {
        if (err.code === 'EAGAIN') {
          if (this.held) return this.settle();
          this.retry = setTimeout(() => {
            this.retry = null;
            this.next();
          }, RETRY_MS);
          this.retry.unref();
        } else this.queue = []; // EIO, EBADF: the terminal is gone, so is its input
      } else if (written >= buf.length) this.queue.shift();
      else this.queue[0] = buf.subarray(written);
      if (this.held) this.settle();
      else this.next();
    });
  }

  // The write in flight is done and take() is waiting for it.
  private settle(): void {
    const idle = this.idle;
    this.idle = null;
    idle?.();
  }
}
