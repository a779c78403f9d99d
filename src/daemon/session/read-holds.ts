// Why a session's PTY is not being read: an exec reader that cannot keep up ('exec'), or the
// session's output rate limit ('rate'). Reads pause while any hold is on and resume when none is.
import { TokenBucket, type BucketConfig } from '../base/rate-limit';

export type HoldReason = 'exec' | 'rate';

export class ReadHolds {
  private readonly bucket: TokenBucket;
  private readonly holds = new Set<HoldReason>();

  constructor(
    rate: BucketConfig,
    private readonly pty: () => { pause(): void; resume(): void } | undefined,
  ) {
    this.bucket = new TokenBucket(rate, Date.now());
  }

  // Meters `bytes` of output against the rate limit, holding reads for as long as it asks.
  meter(bytes: number): void {
    const wait = this.bucket.take(bytes, Date.now());
    if (wait > 0 && !this.holds.has('rate')) {
      this.hold('rate');
      setTimeout(() => this.release('rate'), wait).unref();
    }
  }

  // Pauses reads for `reason` (the first hold pauses the PTY).
  hold(reason: HoldReason): void {
    if (this.holds.size === 0) this.pty()?.pause();
    this.holds.add(reason);
  }

  // Lifts the hold for `reason` (the last one resumes the PTY).
  release(reason: HoldReason): void {
    if (this.holds.delete(reason) && this.holds.size === 0) this.pty()?.resume();
  }

  // A new PTY starts reading, with no hold.
  reset(): void {
    this.holds.clear();
  }
}
