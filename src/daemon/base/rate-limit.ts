// A token bucket: `ratePerSec` tokens a second, holding at most `burst`. Pure: the caller passes
// the current time in ms, so tests drive it with a table instead of a clock.

export interface BucketConfig {
  ratePerSec: number; // 0 = unlimited
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly config: BucketConfig,
    now: number,
  ) {
    this.tokens = config.burst;
    this.last = now;
  }

  get unlimited(): boolean {
    return this.config.ratePerSec <= 0;
  }

  // Takes `n` tokens if available; returns whether it did.
  tryTake(n: number, now: number): boolean {
    if (this.unlimited) return true;
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  // Takes `n` tokens, going into debt if needed; returns how long (ms) until the balance is
  // non-negative again, i.e. how long the caller should wait before taking more. 0 = go on.
  take(n: number, now: number): number {
    if (this.unlimited) return 0;
    this.refill(now);
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.config.ratePerSec) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.config.burst, this.tokens + (elapsed * this.config.ratePerSec) / 1000);
  }
}
