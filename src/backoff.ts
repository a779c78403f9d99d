// Exponential backoff with jitter for reconnecting: pure, the caller supplies the random source.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

// 500 ms first retry, doubling to a 30 s cap: fast after a blip, gentle on a long outage.
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

// The delay before retry number `attempt` (1-based): "equal jitter", half fixed and half random,
// so retries never bunch up at zero and clients that lost the same tunnel spread out.
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
