import { expect, it } from 'vitest';
import { backoffDelay, RECONNECT_BACKOFF } from '../../src/backoff';

it.each([
  [1, 250, 500],
  [2, 500, 1000],
  [3, 1000, 2000],
  [4, 2000, 4000],
  [7, 15_000, 30_000],
  [8, 15_000, 30_000],
  [50, 15_000, 30_000],
])('attempt %i waits between %i and %i ms', (attempt, lo, hi) => {
  expect(backoffDelay(RECONNECT_BACKOFF, attempt, () => 0)).toBe(lo);
  expect(backoffDelay(RECONNECT_BACKOFF, attempt, () => 1)).toBe(hi);
  const mid = backoffDelay(RECONNECT_BACKOFF, attempt, () => 0.5);
  expect(mid).toBeGreaterThan(lo);
  expect(mid).toBeLessThan(hi);
});
