// The `pty-relay` command line. Only src/cli/ imports commander.
import { Command } from 'commander';
import { runExec } from '../client/exec';
import { RelayError } from '../errors';
import { STATUS_RELAY_ERROR } from '../protocol/exec-text';
import { validateSessionName } from '../protocol/session-name';
import { VERSION } from '../version';
import { addSessionCommands, buildClientCommand, buildTunnelCommand, clientConnection, connectOptions } from './client';
import { parseSeconds } from './config';
import { buildServeCommand } from './serve';
import { buildWebCommand } from './web';
import { ptySelfTest } from '../daemon/pty';

// Builds the program; `main` parses argv with it.
export function buildProgram(): Command {
  const program = new Command('pty-relay')
    .description('A TCP PTY relay: persistent shells for agents (exec over netcat) and humans (pty-client)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError();

  program.addCommand(buildServeCommand());

  connectOptions(program.command('exec'))
    .description('run a command in a session and exit with its status (no netcat needed)')
    .argument('[command...]', 'the command; read from stdin when omitted')
    .option('-s, --session <name>', 'session to run in (default: "default")')
    .option('-t, --timeout <seconds>', 'give up waiting after this long; the command keeps running', parseSeconds)
    .action(async (words: string[], o) => {
      if (o.session !== undefined) {
        const err = validateSessionName(o.session);
        if (err !== null) throw new RelayError('PR_ERR_USAGE', err);
      }
      let script = words.join(' ');
      if (words.length === 0) {
        if (process.stdin.isTTY) throw new RelayError('PR_ERR_USAGE', 'no command given (pass it after -- or on stdin)');
        script = await readAll(process.stdin);
      }
      process.exitCode = await runExec({ ...clientConnection(o), session: o.session, timeoutS: o.timeout, script, out: process.stdout, err: process.stderr });
    });

  // Used by the binary's build to check the embedded native addon loads: runs echo in a PTY.
  program
    .command('self-test', { hidden: true })
    .action(async () => {
      process.stdout.write(`${await ptySelfTest()}\n`);
    });

  addSessionCommands(program);
  program.addCommand(buildClientCommand('client'));
  program.addCommand(buildTunnelCommand());
  program.addCommand(buildWebCommand());
  return program;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

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
