// The `pty-relay` command line. Only src/cli/ imports commander.
import { Command } from 'commander';
import { runExec } from '../client/exec';
import { RelayError } from '../errors';
import { validateSessionName } from '../protocol/session-name';
import { VERSION } from '../version';
import { addSessionCommands, buildClientCommand, buildTunnelCommand, clientConnection, connectOptions } from './client';
import { parseSeconds } from './config';
import { readAll } from './exec-fast';
import { reportError } from './report';
import { buildServeCommand } from './serve';
import { ptySelfTest } from '../daemon/pty';
import { loadSockDiag } from '../daemon/server/sock-diag';

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

  // Used by the binary's build to check the embedded native addons load: runs echo in a PTY, and
  // asks the kernel about a socket that cannot exist.
  program
    .command('self-test', { hidden: true })
    .action(async () => {
      process.stdout.write(`${await ptySelfTest()}\n`);
      const diag = loadSockDiag();
      process.stdout.write(diag.ok && diag.diag.lookup('127.0.0.1', 0, '127.0.0.1', 0) === null ? 'sock-diag-ok\n' : `sock-diag-unavailable: ${diag.ok ? 'bad answer' : diag.reason}\n`);
    });

  addSessionCommands(program);
  program.addCommand(buildClientCommand('client'));
  program.addCommand(buildTunnelCommand());
  return program;
}

// Runs the CLI; errors become one clear line on stderr and a non-zero exit.
export async function main(argv: string[], program: Command): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
