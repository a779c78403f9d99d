// How the command line reports an error: one line on stderr, and the exit status to end with.
import { RelayError } from '../errors';
import { STATUS_RELAY_ERROR } from '../protocol/exec-text';

// Writes `pty-relay: MESSAGE (CAUSE) [CODE]`; returns 2 for usage errors, else the relay's status.
export function reportError(err: unknown): number {
  const code = err instanceof RelayError ? err.code : 'PR_ERR_UNEXPECTED';
  const cause = err instanceof RelayError && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  process.stderr.write(`pty-relay: ${(err as Error).message}${cause} [${code}]\n`);
  return err instanceof RelayError && err.code === 'PR_ERR_USAGE' ? 2 : STATUS_RELAY_ERROR;
}
