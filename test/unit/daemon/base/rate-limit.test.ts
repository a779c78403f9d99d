import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../../src/daemon/base/rate-limit';

describe('TokenBucket.tryTake', () => {
  // [time ms, tokens asked, granted?]
  it.each([
    ['starts full and refuses beyond the burst', { ratePerSec: 10, burst: 5 }, [[0, 5, true], [0, 1, false]]],
    ['refills at the rate', { ratePerSec: 10, burst: 5 }, [[0, 5, true], [99, 1, false], [100, 1, true], [100, 1, false], [300, 2, true]]],
    ['never holds more than the burst', { ratePerSec: 10, burst: 5 }, [[0, 1, true], [10_000, 5, true], [10_000, 1, false]]],
    ['asks larger than the burst never pass', { ratePerSec: 1000, burst: 10 }, [[0, 11, false], [60_000, 11, false], [60_000, 10, true]]],
    ['unlimited when the rate is 0', { ratePerSec: 0, burst: 0 }, [[0, 1e9, true], [0, 1e9, true]]],
    ['ignores time going backwards', { ratePerSec: 10, burst: 2 }, [[1000, 2, true], [500, 1, false], [1100, 1, true]]],
  ] as const)('%s', (_, config, steps) => {
    const b = new TokenBucket(config, 0);
    for (const [t, n, ok] of steps) expect({ t, n, ok: b.tryTake(n, t) }).toEqual({ t, n, ok });
  });
});

describe('TokenBucket.take', () => {
  // [time ms, tokens taken, expected wait ms]
  it.each([
    ['no wait within the burst', { ratePerSec: 1000, burst: 100 }, [[0, 100, 0]]],
    ['debt turns into a wait', { ratePerSec: 1000, burst: 100 }, [[0, 150, 50], [50, 0, 0], [50, 1000, 1000]]],
    ['waits shrink as time passes', { ratePerSec: 100, burst: 10 }, [[0, 30, 200], [100, 0, 100], [200, 0, 0]]],
    ['unlimited never waits', { ratePerSec: 0, burst: 0 }, [[0, 1e12, 0]]],
  ] as const)('%s', (_, config, steps) => {
    const b = new TokenBucket(config, 0);
    for (const [t, n, wait] of steps) expect({ t, n, wait: b.take(n, t) }).toEqual({ t, n, wait });
  });
});
