// Runs a command line and turns its errors into one clear line on stderr and an exit status.
import type { Command } from 'commander';
import { RelayError } from '../errors';
import { STATUS_RELAY_ERROR } from '../protocol/exec-text';

// Runs the CLI; errors become one clear line on stderr and a non-zero exit.
export async function main(argv: string[], program: Command): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = err instanceof RelayError ? err.code : 'PR_ERR_UNEXPECTED';
    const cause = err instanceof RelayError && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    process.stderr.write(`pty-relay: ${(err as Error).message}${cause} [${code}]\n`);
    process.exitCode = err instanceof RelayError && err.code === 'PR_ERR_USAGE' ? 2 : STATUS_RELAY_ERROR;
  }
}
