// The `pty-relay` command line. The only module (with client.ts) that imports commander.
import { Command, Option } from 'commander';
import * as os from 'node:os';
import { runExec } from '../client/exec';
import { startDaemon } from '../daemon';
import { defaultRuntimeBase } from '../daemon/runtime-dir';
import { DEFAULT_TIMING } from '../daemon/request';
import { RelayError } from '../errors';
import { createLogger } from '../log';
import { STATUS_RELAY_ERROR } from '../protocol/exec-text';
import { validateSessionName } from '../protocol/session-name';
import { VERSION } from '../version';
import * as cfg from './config';
import { addSessionCommands, buildClientCommand } from './client';

// Builds the program; `main` parses argv with it.
export function buildProgram(): Command {
  const program = new Command('pty-relay')
    .description('A TCP PTY relay: persistent shells for agents (exec over netcat) and humans (pty-client)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the daemon: persistent bash sessions on 127.0.0.1 and ::1')
    .addOption(new Option('--host <addrs>', 'comma-separated loopback addresses to bind').env('PTY_RELAY_HOST').default(cfg.DEFAULT_HOSTS, '127.0.0.1,::1').argParser(cfg.parseHosts))
    .addOption(new Option('--port <port>', 'TCP port (0 = pick one and log it)').env('PTY_RELAY_PORT').default(cfg.DEFAULT_PORT).argParser(cfg.parsePort))
    .addOption(new Option('--shell <path>', 'bash for new sessions (default: your login shell if it is bash, else bash)').env('PTY_RELAY_SHELL'))
    .addOption(new Option('--exec-timeout <seconds>', 'default per-request timeout; 0 = none (the command keeps running either way)').env('PTY_RELAY_EXEC_TIMEOUT').default(cfg.DEFAULT_EXEC_TIMEOUT_S).argParser(cfg.parseSeconds))
    .addOption(new Option('--max-request-bytes <n>', 'largest exec request accepted').env('PTY_RELAY_MAX_REQUEST_BYTES').default(cfg.DEFAULT_MAX_REQUEST_BYTES).argParser(cfg.parseCount))
    .addOption(new Option('--ring-bytes <size>', 'output kept per session for reattach and resume (k/M suffix ok)').env('PTY_RELAY_RING_BYTES').default(cfg.DEFAULT_RING_BYTES, '1M').argParser(cfg.parseBytes))
    .addOption(new Option('--runtime-dir <dir>', 'private directory for scripts and rc files').env('PTY_RELAY_RUNTIME_DIR'))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent').env('PTY_RELAY_LOG_LEVEL').default('info').argParser(cfg.parseLogLevel))
    .action(async (o) => {
      const log = createLogger(o.logLevel);
      const daemon = await startDaemon(
        {
          hosts: o.host,
          port: o.port,
          shell: o.shell ?? cfg.defaultShell(),
          cwd: os.homedir(),
          env: cfg.sessionEnv(process.env),
          cols: 200,
          rows: 50,
          runtimeBase: o.runtimeDir ?? defaultRuntimeBase(),
          handshakeMs: cfg.HANDSHAKE_MS,
          execTimeoutMs: o.execTimeout * 1000,
          maxRequestBytes: o.maxRequestBytes,
          timing: DEFAULT_TIMING,
          ringBytes: o.ringBytes,
          heartbeatTimeoutMs: 3 * cfg.heartbeatMs(),
        },
        log,
      );
      for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
        process.once(sig, () => {
          void daemon.shutdown(sig).then(() => process.exit(0));
        });
      }
    });

  program
    .command('exec')
    .description('run a command in a session and exit with its status (no netcat needed)')
    .argument('[command...]', 'the command; read from stdin when omitted')
    .addOption(new Option('--host <host>', 'daemon address').env('PTY_RELAY_CONNECT_HOST').default('localhost'))
    .addOption(new Option('--port <port>', 'daemon port').env('PTY_RELAY_PORT').default(cfg.DEFAULT_PORT).argParser(cfg.parsePort))
    .option('-s, --session <name>', 'session to run in (default: "default")')
    .option('-t, --timeout <seconds>', 'give up waiting after this long; the command keeps running', cfg.parseSeconds)
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
      process.exitCode = await runExec({ host: o.host, port: o.port, session: o.session, timeoutS: o.timeout, script, out: process.stdout, err: process.stderr });
    });

  addSessionCommands(program);
  program.addCommand(buildClientCommand('client'));
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
