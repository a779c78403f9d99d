// `pty-relay serve` refuses at once off Linux; on Linux with node-pty (this checkout) it goes on.
// Without node-pty it refuses too: test/e2e/npm-package.test.ts runs that from the installed package.
import { expect, it } from 'vitest';
import { requireServerSide } from '../../../src/cli/server-side';

it('refuses off Linux, naming what works there', async () => {
  await expect(requireServerSide('darwin')).rejects.toMatchObject({ code: 'PR_ERR_PLATFORM', message: expect.stringMatching(/runs on Linux only \(this is darwin\).*every client command/) });
});

it('passes on Linux where node-pty loads', async () => {
  await expect(requireServerSide('linux')).resolves.toBeUndefined();
});
