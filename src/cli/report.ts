// How the command line reports an error: one line on stderr, and the exit status to end with.
import { RelayError } from '../errors';
import { STATUS_RELAY_ERROR } from '../protocol/exec-text';

// Errors in what the user typed (exit 2, like a usage error); everything else exits 255.
const USER_ERRORS = new Set<string>(['PR_ERR_USAGE', 'PR_ERR_NO_SESSION', 'PR_ERR_SESSION_EXISTS', 'PR_ERR_SESSION_NAME']);

// Writes `pty-relay: MESSAGE (CAUSE) [CODE]`; returns 2 for usage errors, else the relay's status.
export function reportError(err: unknown): number {
  const code = err instanceof RelayError ? err.code : 'PR_ERR_UNEXPECTED';
  const cause = err instanceof RelayError && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  process.stderr.write(`pty-relay: ${(err as Error).message}${cause} [${code}]\n`);
  return err instanceof RelayError && USER_ERRORS.has(err.code) ? 2 : STATUS_RELAY_ERROR;
}
