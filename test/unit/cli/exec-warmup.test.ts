// The round trip the single binary runs while its startup snapshot is built: it must complete,
// leave no handle behind (a snapshot cannot hold one, and an open one would hang the build), and
// make no timer (Node's timer bookkeeping, taken into the snapshot, then kept every process
// started from it from arming a timer first made ~10 s after its start).
import { afterEach, expect, it, vi } from 'vitest';
import { warmExecRoundTrip } from '../../../src/cli/exec-warmup';
import { waitFor } from '../../helpers/deadline';

interface WithHandles {
  _getActiveHandles(): unknown[];
}
const handles = (): number => (process as unknown as WithHandles)._getActiveHandles().length;
afterEach(() => vi.restoreAllMocks());

it('completes and leaves no handle open', async () => {
  const before = handles();
  await expect(warmExecRoundTrip()).resolves.toBeUndefined();
  // The server's and sockets' handles finish closing in the event loop's next close phase.
  expect(await waitFor('the round trip\'s handles to close', () => (handles() === before ? true : undefined))).toBe(true);
});

it('makes no timer', async () => {
  const timers = vi.spyOn(globalThis, 'setTimeout');
  const intervals = vi.spyOn(globalThis, 'setInterval');
  await warmExecRoundTrip();
  expect(timers).not.toHaveBeenCalled();
  expect(intervals).not.toHaveBeenCalled();
});
