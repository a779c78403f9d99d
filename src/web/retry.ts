// When to reconnect: exponential backoff with "equal jitter" (half fixed, half random), from
// RETRY_BASE_MS doubling to RETRY_CAP_MS, as pty-client does; and at once when the tab becomes
// visible again or the network comes back, since that is when a person is looking.

// 500 ms first retry, doubling to a 30 s cap: fast after a blip, gentle on a long outage.
export const RETRY_BASE_MS = 500;
export const RETRY_CAP_MS = 30_000;

// The delay before retry number `attempt` (1-based).
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

// Calls `now` when the page becomes visible or the browser goes back online; returns a stop function.
export function onComeBack(now: () => void): () => void {
  const vis = (): void => {
    if (document.visibilityState === 'visible') now();
  };
  document.addEventListener('visibilitychange', vis);
  window.addEventListener('online', now);
  return () => {
    document.removeEventListener('visibilitychange', vis);
    window.removeEventListener('online', now);
  };
}
