// The client-side commands: pty-client (also `pty-relay client`), ls, kill and new.
import { Command, Option } from 'commander';
import { runClient } from '../client/attach';
import type { Endpoint } from '../client/endpoint';
import { replyError } from '../client/explain';
import { request } from '../client/link';
import { sessionTable } from '../protocol/session-table';
import { runTunnel } from '../client/tunnel';
import { RelayError } from '../errors';
import { MAX_TERM_DIM, type Reply } from '../protocol/frame';
import { DEFAULT_SESSION, validateSessionName } from '../protocol/session-name';
import * as cfg from './config';

// Where and how a client reaches the daemon: TCP host and port, or a unix socket; the secret.
// Short flags as in the original plan (`pty-client -s HOST -p PORT`): `-p` is the port on every
// client command; `-s` is the host (server) on every command except `exec`, where `-s` has always
// been the session (a flag typed far more often there, as in tmux). `exec` takes `--host`.
export function connectOptions(cmd: Command, o: { hostShort: boolean } = { hostShort: true }): Command {
  return cmd
    .addOption(new Option(`${o.hostShort ? '-s, ' : ''}--host <host>`, 'daemon address (through a tunnel: localhost)').env('PTY_RELAY_CONNECT_HOST').default('localhost'))
    .addOption(new Option('-p, --port <port>', 'daemon port (the tunnel\'s local end)').env('PTY_RELAY_PORT').default(cfg.DEFAULT_PORT).argParser(cfg.parsePort))
    .addOption(new Option('--socket <path>', 'connect to this unix socket instead').env('PTY_RELAY_SOCKET'))
    .addOption(new Option('--secret-file <path>', "the daemon's shared secret (or set PTY_RELAY_SECRET)").env('PTY_RELAY_SECRET_FILE'));
}

// The endpoint and secret from connectOptions' values.
export function clientConnection(o: { host: string; port: number; socket?: string; secretFile?: string }): { endpoint: Endpoint; secret: string | null } {
  return { endpoint: o.socket !== undefined ? { path: o.socket } : { host: o.host, port: o.port }, secret: cfg.readSecret(o.secretFile, process.env) };
}

function sessionName(v: string): string {
  const err = validateSessionName(v);
  if (err !== null) throw new RelayError('PR_ERR_USAGE', err);
  return v;
}

// `pty-client [SESSION]`, under the given command name.
export function buildClientCommand(name: string): Command {
  return connectOptions(new Command(name))
    .description('attach this terminal to a session (created if missing); reconnects by itself')
    .argument('[session]', 'session name', DEFAULT_SESSION)
    .option('-r, --read-only', 'watch without typing')
    .addOption(new Option('--detach-key <key>', 'key that detaches, in ^X notation, or "none"').env('PTY_CLIENT_DETACH_KEY').default(cfg.DEFAULT_DETACH_KEY))
    .addOption(new Option('--max-retries <n>', 'reconnect attempts before giving up (0 = never give up)').env('PTY_CLIENT_MAX_RETRIES').default(0).argParser((v) => (v === '0' ? 0 : cfg.parseCount(v))))
    .action(async (session: string, o) => {
      process.exitCode = await runClient({
        ...clientConnection(o),
        session: sessionName(session),
        readOnly: o.readOnly === true,
        detachKey: cfg.parseDetachKey(o.detachKey),
        heartbeatMs: cfg.heartbeatMs(),
        maxAttempts: o.maxRetries === 0 ? Infinity : o.maxRetries,
      });
    });
}

// `pty-relay ls | kill | new`.
export function addSessionCommands(program: Command): void {
  connectOptions(program.command('ls'))
    .description('list sessions: name, pid, command, attached clients, age, idle time, bytes of output')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const reply = check(await request(...conn(o), { op: 'ls' }), o);
      const sessions = reply.sessions ?? [];
      process.stdout.write(o.json ? `${JSON.stringify(sessions, null, 2)}\n` : sessionTable(sessions));
    });

  connectOptions(program.command('kill'))
    .description('end a session and its program')
    .argument('<session>', 'session name')
    .action(async (session: string, o) => {
      check(await request(...conn(o), { op: 'kill', session: sessionName(session) }), o);
    });

  connectOptions(program.command('new'))
    .description('start a session now: a program instead of a shell (e.g. an AI coding CLI), or a shell; --sandbox runs it in a sandbox')
    .argument('<session>', 'session name')
    .argument('[command...]', 'the program and its arguments (after --); none: a shell that runs exec requests')
    .option('--sandbox [profile]', "run it in a sandbox: the daemon's default profile, or PROFILE from its --sandbox-config")
    .option('--cols <n>', `initial width (at most ${MAX_TERM_DIM})`, cfg.parseDim, 200)
    .option('--rows <n>', `initial height (at most ${MAX_TERM_DIM})`, cfg.parseDim, 50)
    .action(async (session: string, command: string[], o) => {
      const sandbox = o.sandbox === undefined ? undefined : o.sandbox === true ? null : String(o.sandbox);
      const reply = check(await request(...conn(o), { op: 'new', session: sessionName(session), command, cols: o.cols, rows: o.rows, ...(sandbox === undefined ? {} : { sandbox }) }), o);
      const where = sandbox === undefined ? '' : ` in sandbox profile ${sandbox ?? '(the default)'} (its caps: pty-relay ls)`;
      process.stdout.write(`session "${session}" started (pid ${reply.pid ?? '?'})${where}; attach with: pty-client ${session}\n`);
    });
}

function conn(o: Parameters<typeof clientConnection>[0]): [Endpoint, string | null] {
  const c = clientConnection(o);
  return [c.endpoint, c.secret];
}

// `pty-relay tunnel HOST`.
export function buildTunnelCommand(): Command {
  return new Command('tunnel')
    .description('keep a low-latency SSH tunnel to a server running pty-relay (ssh -tt, restarted when it dies)')
    .argument('<host>', 'ssh destination ([user@]host or a Host from ~/.ssh/config)')
    .argument('[ssh-args...]', 'extra ssh arguments (after --)')
    .option('-p, --local-port <port>', 'local port to listen on (the port clients then use with -p)', cfg.parsePort, cfg.DEFAULT_PORT)
    .option('--remote <where>', 'remote end: host:port, or the path of the daemon\'s unix socket (the one form no other user on the server can squat: /run/user/UID/pty-relay/relay.sock)', `127.0.0.1:${cfg.DEFAULT_PORT}`)
    .option('--ssh <path>', 'ssh program', 'ssh')
    .option('--once', 'run ssh once instead of restarting it')
    .action(async (host: string, extra: string[], o) => {
      process.exitCode = await runTunnel({ host, localPort: o.localPort, remote: o.remote, ssh: o.ssh, extra, once: o.once === true, log: (l) => process.stderr.write(`${l}\n`) });
    });
}

// The reply when it is positive; else the daemon's error, with its code and the next step.
function check(reply: Reply, o: { secretFile?: string }): Extract<Reply, { ok: true }> {
  if (!reply.ok) throw replyError(reply, o.secretFile !== undefined || (process.env.PTY_RELAY_SECRET ?? '') !== '');
  return reply;
}
