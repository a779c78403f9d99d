// `pty-relay exec` on a fast path: a client that runs one script must start as fast as `nc`
// does, so it loads neither commander, pino, node-pty nor the daemon (fast-start.ts requires this
// module alone). It understands exactly the options of the full `exec` command; anything else
// (--help, an unknown or malformed option, a bad value, no command on a terminal) is left to the
// full command line, which then reports it as always.
import { isIP } from 'node:net';
import { runExec, type OutputSink } from '../client/exec';
import { validateSessionName } from '../protocol/session-name';
import { DEFAULT_PORT, parseCount, parsePort, parseSeconds, readSecret } from './config';
import { reportError } from './report';

export interface ExecArgs {
  host: string;
  port: number;
  socket: string | undefined;
  secretFile: string | undefined;
  session: string | undefined;
  timeoutS: number | undefined;
  directives: string[]; // `#!raw`, `#!interactive`, `#!limit N`, in the full command's order
  words: string[];
}

type Key = 'host' | 'port' | 'socket' | 'secretFile' | 'session' | 'timeout' | 'limit';
type Flag = 'raw' | 'interactive';

// Every option of `pty-relay exec` that takes a value (see relay.ts and connectOptions in client.ts).
const OPTIONS: Record<string, Key> = {
  '--host': 'host',
  '-p': 'port',
  '--port': 'port',
  '--socket': 'socket',
  '--secret-file': 'secretFile',
  '-s': 'session',
  '--session': 'session',
  '-t': 'timeout',
  '--timeout': 'timeout',
  '--limit': 'limit',
};

// Its options that take none.
const FLAGS: Record<string, Flag> = { '--raw': 'raw', '--interactive': 'interactive' };

// Environment fallbacks, as the full command line has them.
const ENV: Partial<Record<Key, string>> = { host: 'PTY_RELAY_CONNECT_HOST', port: 'PTY_RELAY_PORT', socket: 'PTY_RELAY_SOCKET', secretFile: 'PTY_RELAY_SECRET_FILE' };

// Parses exec's arguments (after "exec") as commander would; null when it would do anything else.
export function parseExecArgs(args: string[], env: NodeJS.ProcessEnv): ExecArgs | null {
  const given: Partial<Record<Key, string>> = {};
  const flags = new Set<Flag>();
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      words.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-')) {
      words.push(a);
      continue;
    }
    const flag = FLAGS[a];
    if (flag !== undefined) {
      flags.add(flag);
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const key = OPTIONS[eq === -1 ? a : a.slice(0, eq)];
    const value = eq === -1 ? args[++i] : a.slice(eq + 1);
    if (key === undefined || value === undefined || (eq === -1 && value.startsWith('-'))) return null;
    given[key] = value;
  }
  const pick = (k: Key): string | undefined => given[k] ?? (ENV[k] !== undefined ? env[ENV[k]] : undefined);
  try {
    const port = pick('port');
    const timeout = pick('timeout');
    const session = pick('session');
    // A bad name, or a host given as the session (`-s` is the host in pty-client): the full
    // command line words the error.
    if (session !== undefined && (validateSessionName(session) !== null || session === 'localhost' || isIP(session) !== 0)) return null;
    const limit = given.limit === undefined ? undefined : parseCount(given.limit);
    return {
      host: pick('host') ?? 'localhost',
      port: port === undefined ? DEFAULT_PORT : parsePort(port),
      socket: pick('socket'),
      secretFile: pick('secretFile'),
      session,
      timeoutS: timeout === undefined ? undefined : parseSeconds(timeout),
      directives: [flags.has('raw') ? '#!raw' : '', flags.has('interactive') ? '#!interactive' : '', limit !== undefined ? `#!limit ${limit}` : ''].filter((d) => d !== ''),
      words,
    };
  } catch {
    return null; // a bad value: the full command line words the error
  }
}

// Starts `pty-relay exec ARGS` when the fast path understands them; false when it does not.
export function tryExec(args: string[]): boolean {
  const a = parseExecArgs(args, process.env);
  if (a === null || (a.words.length === 0 && isTerminal(0))) return false;
  void run(a).then(
    (status) => (process.exitCode = status),
    (err: unknown) => (process.exitCode = reportError(err)),
  );
  return true;
}

// node:tty is loaded only when stdin is the script: `exec -- CMD` never needs it.
function isTerminal(fd: number): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:tty') as typeof import('node:tty')).isatty(fd);
}

async function run(a: ExecArgs): Promise<number> {
  const secret = readSecret(a.secretFile, process.env);
  const script = a.words.length > 0 ? a.words.join(' ') : await readAll(process.stdin);
  const endpoint = a.socket !== undefined ? { path: a.socket } : { host: a.host, port: a.port };
  return runExec({ endpoint, secret, session: a.session, timeoutS: a.timeoutS, follow: true, directives: a.directives, script, out: STDOUT, err: STDERR });
}

// process.stdout and process.stderr, each set up on first use only: that takes ~1 ms apiece here,
// and many commands (cd, mkdir, true) print nothing, while the relay's own messages are rare.
const STDOUT: OutputSink = { write: (data) => process.stdout.write(data), once: (event, listener) => process.stdout.once(event, listener) };
const STDERR = { write: (data: string | Buffer): boolean => process.stderr.write(data) };

// All of a stream, as UTF-8 text.
export function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
