// A connection's incoming bytes, metered by its input token bucket. A chunk that would put the
// bucket in debt is held until the debt is paid (and the socket paused meanwhile), so a flood is
// slowed down rather than buffered, and the order of data and EOF is kept.
import { EventEmitter } from 'node:events';
import type * as net from 'node:net';
import { TokenBucket, type BucketConfig } from '../base/rate-limit';

export interface ConnInput {
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'end', fn: () => void): this;
  once(event: 'data', fn: (chunk: Buffer) => void): this;
  once(event: 'end', fn: () => void): this;
  off(event: 'end', fn: () => void): this;
  // Stops reading (the owner's own back-pressure), independent of rate limiting.
  pause(): void;
  resume(): void;
  // True while the rate limit holds bytes back: quiet on the wire is then not the client's.
  readonly holding?: boolean;
}

export class MeteredInput extends EventEmitter implements ConnInput {
  private readonly bucket: TokenBucket;
  private readonly queue: Buffer[] = [];
  private ended = false;
  private endEmitted = false;
  private waiting = false;
  private paused = false;

  // `first` was read off the socket before (to route the connection): it is the first chunk
  // delivered, metered like the rest, on the next tick (once the caller listens); `ended` says the
  // client's EOF came with it.
  constructor(
    private readonly socket: net.Socket,
    rate: BucketConfig,
    first: Buffer | null = null,
    ended = false,
  ) {
    super();
    this.bucket = new TokenBucket(rate, Date.now());
    if (first !== null) this.queue.push(first);
    this.ended = ended;
    if (first !== null || ended) process.nextTick(() => this.flush());
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      this.flush();
    });
    socket.on('end', () => {
      this.ended = true;
      this.flush();
    });
  }

  get holding(): boolean {
    return this.waiting;
  }

  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    if (!this.waiting) this.socket.resume();
    this.flush();
  }

  private flush(): void {
    while (!this.waiting && !this.paused && this.queue.length > 0) {
      const chunk = this.queue[0] as Buffer;
      const wait = this.bucket.take(chunk.length, Date.now());
      if (wait > 0) {
        this.waiting = true;
        this.socket.pause();
        setTimeout(() => {
          this.waiting = false;
          this.queue.shift();
          if (!this.paused) this.socket.resume();
          this.emit('data', chunk);
          this.flush();
        }, wait).unref();
        return;
      }
      this.queue.shift();
      this.emit('data', chunk);
    }
    if (this.ended && this.queue.length === 0 && !this.waiting && !this.endEmitted) {
      this.endEmitted = true;
      this.emit('end');
    }
  }
}
