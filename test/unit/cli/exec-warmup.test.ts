// The round trip the single binary runs while its startup snapshot is built: it must complete and
// leave no handle behind (a snapshot cannot hold one, and an open one would hang the build).
import { expect, it } from 'vitest';
import { warmExecRoundTrip } from '../../../src/cli/exec-warmup';
import { waitFor } from '../../helpers/deadline';

interface WithHandles {
  _getActiveHandles(): unknown[];
}
const handles = (): number => (process as unknown as WithHandles)._getActiveHandles().length;

it('completes and leaves no handle open', async () => {
  const before = handles();
  await expect(warmExecRoundTrip()).resolves.toBeUndefined();
  // The server's and sockets' handles finish closing in the event loop's next close phase.
  expect(await waitFor('the round trip\'s handles to close', () => (handles() === before ? true : undefined))).toBe(true);
});
