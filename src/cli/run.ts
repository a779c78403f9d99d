// Runs a command line and turns its errors into one clear line on stderr and an exit status.
import type { Command } from 'commander';
import { reportError } from './report';

// Runs the CLI; errors become one clear line on stderr and a non-zero exit.
export async function main(argv: string[], program: Command): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
