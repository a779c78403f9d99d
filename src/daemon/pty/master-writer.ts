// Writes to a PTY master without blocking the event loop: a queue of buffers written in order with
// fs.writeSync on the master fd, which node-pty (and libuv, for an adopted one) made non-blocking,
// so a write returns at once; when the terminal's input queue is full (EAGAIN: the program is not
// reading), it retries shortly. Synchronous on purpose: an exec request's line reaches the shell
// in the same turn of the loop, without a round trip through libuv's thread pool (~50 µs of CPU
// and a thread wake-up per write, make bench). For a handover it can stop and give back exactly
// the bytes it has not written yet, so that no keystroke is lost or typed twice.
import * as fs from 'node:fs';

// Retry delay while the terminal's input queue is full: the program reads when it reads; a short
// timer instead of a busy setImmediate loop keeps a stalled session from burning a core.
const RETRY_MS = 10;

export class MasterWriter {
  private queue: Buffer[] = [];
  private retry: NodeJS.Timeout | null = null;
  private held = false;

  constructor(private readonly fd: number) {}

  write(data: Buffer | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return;
    this.queue.push(buf);
    this.flush();
  }

  // Stops writing; resolves with the bytes not written yet.
  take(): Promise<Buffer> {
    this.held = true;
    this.stopRetry();
    const rest = Buffer.concat(this.queue);
    this.queue = [];
    return Promise.resolve(rest);
  }

  // Writes again, starting with `pending` (what take() gave back).
  release(pending: Buffer): void {
    this.held = false;
    if (pending.length > 0) this.queue.unshift(pending);
    this.flush();
  }

  // Drops whatever is queued (the program is gone).
  dispose(): void {
    this.held = true;
    this.queue = [];
    this.stopRetry();
  }

  private flush(): void {
    if (this.held || this.retry !== null) return;
    for (let buf = this.queue[0]; buf !== undefined; buf = this.queue[0]) {
      let written: number;
      try {
        written = fs.writeSync(this.fd, buf, 0, buf.length);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          this.retry = setTimeout(() => {
            this.retry = null;
            this.flush();
          }, RETRY_MS);
          this.retry.unref();
        } else this.queue = []; // EIO, EBADF: the terminal is gone, so is its input
        return;
      }
      if (written >= buf.length) this.queue.shift();
      else this.queue[0] = buf.subarray(written);
    }
  }

  private stopRetry(): void {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
  }
}
