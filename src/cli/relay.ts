// The `pty-relay` command line. Only src/cli/ imports commander.
import { Command } from 'commander';
import { isIP } from 'node:net';
import { runExec } from '../client/exec';
import { RelayError } from '../errors';
import { validateSessionName } from '../protocol/session-name';
import { VERSION } from '../version';
import { addSessionCommands, buildClientCommand, buildTunnelCommand, clientConnection, connectOptions } from './client';
import { parseCount, parseSeconds } from './config';
import { buildDoctorCommand } from './doctor';
import { readAll } from './exec-fast';
import { fullProgramCodeCache } from './full-program';
import { addJobCommands } from './jobs';
import { buildMcpCommand } from './mcp';
import { buildServeCommand } from './serve';
import { buildWebCommand } from './web';
import { addUpgradeCommand } from './upgrade';

// Builds the program; `main` parses argv with it.
export function buildProgram(): Command {
  const program = new Command('pty-relay')
    .description('A TCP PTY relay: persistent shells for agents (exec over netcat) and humans (pty-client)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError();

  program.addCommand(buildServeCommand());

  connectOptions(program.command('exec'), { hostShort: false })
    .description('run a command in a session and exit with its status (no netcat needed)')
    .argument('[command...]', 'the command; read from stdin when omitted')
    .option('-s, --session <name>', 'session to run in (default: "default")')
    .option('-t, --timeout <seconds>', 'give up waiting after this long; the command keeps running', parseSeconds)
    .option('--raw', 'exact bytes: no cleaning, no \\r\\n folding (binary-safe)')
    .option('--interactive', 'the terminal is the command\'s stdin (drive it with `pty-relay send`)')
    .option('--limit <bytes>', 'print at most this much output: the head and the tail', (v) => String(parseCount(v)))
    .action(async (words: string[], o) => {
      if (o.session !== undefined) {
        // `pty-client -s HOST` users may carry the habit over: a host here would silently become
        // a session name on whatever daemon listens at --host.
        if (o.session === 'localhost' || isIP(o.session) !== 0) {
          throw new RelayError('PR_ERR_USAGE', `\`pty-relay exec -s\` names the session; to reach the daemon at ${o.session} use --host ${o.session}`);
        }
        const err = validateSessionName(o.session);
        if (err !== null) throw new RelayError('PR_ERR_USAGE', err);
      }
      let script = words.join(' ');
      if (words.length === 0) {
        if (process.stdin.isTTY) throw new RelayError('PR_ERR_USAGE', 'no command given (pass it after -- or on stdin)');
        script = await readAll(process.stdin);
      }
      const directives = [o.raw ? '#!raw' : '', o.interactive ? '#!interactive' : '', o.limit !== undefined ? `#!limit ${o.limit}` : ''].filter((d) => d !== '');
      process.exitCode = await runExec({ ...clientConnection(o), session: o.session, timeoutS: o.timeout, follow: true, directives, script, out: process.stdout, err: process.stderr });
    });

  // Used by the binary's build to check the embedded native addons load: runs echo in a PTY, asks
  // the kernel about a socket that cannot exist, reads a terminal's modes; and that V8 took the
  // full program's code cache. (Loaded here only: node-pty costs every other command its start.)
  program
    .command('self-test', { hidden: true })
    .action(async () => {
      const { ptySelfTest } = await import('../daemon/pty/pty');
      const { loadSockDiag } = await import('../native/sock-diag');
      const { termios } = await import('../daemon/pty/termios');
      process.stdout.write(`${await ptySelfTest()}\n`);
      const diag = loadSockDiag();
      process.stdout.write(diag.ok && diag.diag.lookup('127.0.0.1', 0, '127.0.0.1', 0) === null ? 'sock-diag-ok\n' : `sock-diag-unavailable: ${diag.ok ? 'bad answer' : diag.reason}\n`);
      process.stdout.write(termios()?.flags(-1) === -1 ? 'termios-ok\n' : 'termios-unavailable\n');
      const { holderSelfTest } = await import('../daemon/holder/spawn');
      process.stdout.write(`${await holderSelfTest()}\n`);
      process.stdout.write(`code-cache-${fullProgramCodeCache()}\n`);
    });

  addJobCommands(program);
  addSessionCommands(program);
  addUpgradeCommand(program);
  program.addCommand(buildClientCommand('client'));
  program.addCommand(buildTunnelCommand());
  program.addCommand(buildMcpCommand());
  program.addCommand(buildDoctorCommand());
  program.addCommand(buildWebCommand());
  return program;
}
