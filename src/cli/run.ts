// Runs a command line and turns its errors into one clear line on stderr and an exit status.
import type { Command } from 'commander';
import { RelayError } from '../errors';
import { STATUS_RELAY_ERROR } from '../protocol/exec-text';

// Errors in what the user typed (exit 2, like a usage error); everything else exits 255.
const USER_ERRORS = new Set<string>(['PR_ERR_USAGE', 'PR_ERR_NO_SESSION', 'PR_ERR_SESSION_EXISTS', 'PR_ERR_SESSION_NAME']);

// Runs the CLI; errors become one clear line on stderr and a non-zero exit.
export async function main(argv: string[], program: Command): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = err instanceof RelayError ? err.code : 'PR_ERR_UNEXPECTED';
    const cause = err instanceof RelayError && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    process.stderr.write(`pty-relay: ${(err as Error).message}${cause} [${code}]\n`);
    process.exitCode = err instanceof RelayError && USER_ERRORS.has(err.code) ? 2 : STATUS_RELAY_ERROR;
  }
}
