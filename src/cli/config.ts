// Defaults, environment equivalents and validation for the command line.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayError } from '../errors';
import { LOG_LEVELS, type LogLevel } from '../log-levels';
import { parseEventFilter } from '../protocol/events';
import { MAX_TERM_DIM } from '../protocol/frame';

export const DEFAULT_PORT = 9998;
// Stock Debian resolves `localhost` to ::1 first, so both loopbacks are bound (DESIGN.md §3).
export const DEFAULT_HOSTS = ['127.0.0.1', '::1'];
// The nc path's default, chosen for agents: their tools give up on a call after 2 minutes (Claude
// Code's Bash tool) or 60 s (MCP hosts, commonly), and a relay that is silent past that looks like a
// dead tunnel. 60 s returns "still running as job N" with room to spare for a tunnel and a queue;
// nothing is stopped, and `#!wait N` picks up where the reply ended. `pty-relay exec` and `wait`
// follow a job to its end by themselves unless given -t.
export const DEFAULT_EXEC_TIMEOUT_S = 60;
// Scripts are source text; anything bigger is almost certainly a mistake (piping a binary file).
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
// A client that connects and says nothing is closed after this long.
export const DEFAULT_HANDSHAKE_S = 30;
// Sessions and attached clients: far beyond one person's or one agent's use, small enough that a
// runaway script cannot exhaust processes or memory.
export const DEFAULT_MAX_SESSIONS = 64;
export const DEFAULT_MAX_CLIENTS = 32;
// Rate limits are safety nets: the PTY itself tops out near 25 MB/s, and a pasted or piped script
// arrives at once, so these never slow normal use. They stop a flood from starving other sessions.
export const DEFAULT_OUTPUT_RATE = 64 * 1024 * 1024;
export const DEFAULT_INPUT_RATE = 16 * 1024 * 1024;
// Sequential exec requests take >= 2 ms each, so 1000/s only bites a connection flood.
export const DEFAULT_CONNECTION_RATE = 1000;
// Output kept per session for resume and reattach. 1 MiB is ~10,000 lines of typical terminal text:
// far more than a tunnel outage usually lets through, and small enough for a hundred sessions.
export const DEFAULT_RING_BYTES = 1024 * 1024;
// What a session's holder keeps while no daemon runs: four rings' worth, a few seconds of a flood,
// minutes of a build log. Memory is touched only as output arrives.
export const DEFAULT_HOLDER_BUFFER = 4 * 1024 * 1024;
// A holder whose daemon never comes back hangs its session up after a day: long enough for any
// restart or an operator's repair, short enough that a forgotten host does not keep shells for ever.
export const DEFAULT_ORPHAN_TIMEOUT_S = 24 * 60 * 60;
// Attach heartbeat: the client pings this often; each side drops a link silent for 3 intervals,
// so a dead tunnel is noticed within about 30 s. PTY_RELAY_HEARTBEAT_MS overrides it (tests).
export const HEARTBEAT_MS = 10_000;
export const DEFAULT_DETACH_KEY = '^\\';
// What a notification is worth by default (serve --on-event, pty-relay notify): something needs
// the user (a prompt, a failure), or a long job is done. A minute is longer than anyone watches.
export const DEFAULT_HOOK_FILTER = 'input,failed,finished-after=60';
// A webhook answers in well under a second; ten covers a slow one without piling processes up.
export const DEFAULT_HOOK_TIMEOUT_S = 10;
// Hooks a minute: a notification a second is already noise (ntfy's own default limit is close).
export const DEFAULT_HOOK_RATE = 30;

// Checks an event filter (protocol/events.ts) and returns it as given.
// The VAPID `sub` claim when none is set: push services accept it; Safari's wants a real address.
export const DEFAULT_PUSH_CONTACT = 'mailto:pty-relay@localhost';

export function parseFilterSpec(v: string): string {
  const f = parseEventFilter(v);
  if (typeof f === 'string') throw new RelayError('PR_ERR_USAGE', f);
  return v;
}

// The heartbeat interval, from the environment when set.
export function heartbeatMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.PTY_RELAY_HEARTBEAT_MS;
  if (v === undefined || v === '') return HEARTBEAT_MS;
  if (!/^[1-9]\d*$/.test(v)) throw new RelayError('PR_ERR_USAGE', `invalid PTY_RELAY_HEARTBEAT_MS "${v}"`);
  return Number(v);
}

// Parses a detach key: "^\\", "^]", "^A"…, or "none".
export function parseDetachKey(v: string): number | null {
  if (v === 'none') return null;
  const m = /^\^([@A-Z[\\\]^_?])$/i.exec(v);
  if (m === null) throw new RelayError('PR_ERR_USAGE', `invalid detach key "${v}": use ^X notation (e.g. ^\\ or ^]) or "none"`);
  const c = (m[1] as string).toUpperCase();
  return c === '?' ? 0x7f : c.charCodeAt(0) ^ 0x40;
}

// Parses a ring size in bytes, with an optional k/M suffix.
export function parseBytes(v: string): number {
  const m = /^(\d+)([kKmM]?)$/.exec(v);
  if (m === null || Number(m[1]) === 0) throw new RelayError('PR_ERR_USAGE', `invalid size "${v}" (bytes, or with a k or M suffix)`);
  const mult = m[2] === '' ? 1 : m[2]?.toLowerCase() === 'k' ? 1024 : 1024 * 1024;
  return Number(m[1]) * mult;
}

// Parses a TCP port; 0 means "pick a free one".
export function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new RelayError('PR_ERR_USAGE', `invalid port "${v}"`);
  return Number(v);
}

// Parses a non-negative number of seconds.
export function parseSeconds(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v)) throw new RelayError('PR_ERR_USAGE', `invalid number of seconds "${v}"`);
  return Number(v);
}

// Parses a positive integer.
export function parseCount(v: string): number {
  if (!/^[1-9]\d*$/.test(v)) throw new RelayError('PR_ERR_USAGE', `invalid count "${v}"`);
  return Number(v);
}

// A terminal width or height: 1..MAX_TERM_DIM (the daemon refuses more).
export function parseDim(v: string): number {
  const n = parseCount(v);
  if (n > MAX_TERM_DIM) throw new RelayError('PR_ERR_USAGE', `invalid size "${v}" (at most ${MAX_TERM_DIM})`);
  return n;
}

export function parseLogLevel(v: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(v)) {
    throw new RelayError('PR_ERR_USAGE', `invalid log level "${v}" (one of ${LOG_LEVELS.join(', ')})`);
  }
  return v as LogLevel;
}

// The daemon's log level from -v (info), -vv (debug), -q (warn) or --log-level/PTY_RELAY_LOG_LEVEL;
// the short flags win over the environment, and clash with an explicit --log-level.
export function logLevelFromFlags(f: { verbose: number; quiet: boolean; level: LogLevel; levelFromCli: boolean }): LogLevel {
  if (f.verbose === 0 && !f.quiet) return f.level;
  if (f.verbose > 0 && f.quiet) throw new RelayError('PR_ERR_USAGE', '-v and -q contradict each other: pick one');
  if (f.levelFromCli) throw new RelayError('PR_ERR_USAGE', '-v/-q and --log-level both set the log level: pick one');
  return f.quiet ? 'warn' : f.verbose === 1 ? 'info' : 'debug';
}

// Parses a comma-separated list of IP addresses; `localhost` means both loopbacks, and `none`
// no TCP listener at all (the unix socket only).
export function parseHosts(v: string): string[] {
  if (v.trim() === 'none') return [];
  const hosts = v.split(',').map((h) => h.trim().replace(/^\[(.*)\]$/, '$1')).filter((h) => h !== '');
  for (const h of hosts) {
    if (h !== 'localhost' && net.isIP(h) === 0) throw new RelayError('PR_ERR_USAGE', `invalid address "${h}" (use IP addresses)`);
  }
  if (hosts.length === 0) throw new RelayError('PR_ERR_USAGE', 'no address given to --host');
  return hosts.flatMap((h) => (h === 'localhost' ? DEFAULT_HOSTS : [h]));
}

// An on/off environment variable: 1, true, yes or on (any case) mean on; unset or empty mean off.
export function envFlag(v: string | undefined): boolean {
  if (v === undefined || v === '') return false;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new RelayError('PR_ERR_USAGE', `invalid on/off value "${v}" (use 1 or 0)`);
}

// Parses a rate: a number with an optional k/M suffix; 0 means unlimited.
export function parseRate(v: string): number {
  return v === '0' ? 0 : parseBytes(v);
}

// The shared secret, from --secret-file or PTY_RELAY_SECRET; null when neither is set. Never
// taken from the command line, where every local user could read it in `ps`.
export function readSecret(file: string | undefined, env: NodeJS.ProcessEnv): string | null {
  if (file !== undefined) {
    let st: fs.Stats;
    let text: string;
    try {
      st = fs.statSync(file);
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new RelayError('PR_ERR_USAGE', `cannot read the secret file ${file}: create it (mode 600) holding the daemon's secret, or unset PTY_RELAY_SECRET_FILE`, { cause: err });
    }
    if ((st.mode & 0o077) !== 0) throw new RelayError('PR_ERR_USAGE', `the secret file ${file} is readable by others; chmod 600 it`);
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw new RelayError('PR_ERR_USAGE', `the secret file ${file} is empty: put the daemon's secret in it`);
    return secret;
  }
  const fromEnv = env.PTY_RELAY_SECRET;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : null;
}

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
export function isLoopback(h: string): boolean {
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./i.test(h);
  return false;
}

// Where new shells start: the home directory, or / when it does not exist (system users).
export function startDirectory(home: string): string {
  try {
    return fs.statSync(home).isDirectory() ? home : '/';
  } catch {
    return '/';
  }
}

// The shell for new sessions: the user's login shell if it is bash, else bash from PATH.
export function defaultShell(): string {
  const login = safeLoginShell();
  if (login !== null && path.basename(login) === 'bash') return login;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir, 'bash');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return '/bin/bash';
}

function safeLoginShell(): string | null {
  try {
    return os.userInfo().shell;
  } catch {
    return null;
  }
}

// The environment a session's shell starts with: the daemon's own, minus what belongs to the
// daemon or to an enclosing terminal, plus defaults that keep machine-driven commands from
// stopping at a pager or a credential prompt.
export function sessionEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || k.startsWith('PTY_RELAY_') || DROP_ENV.has(k)) continue;
    env[k] = v;
  }
  return { ...env, PAGER: 'cat', GIT_PAGER: 'cat', SYSTEMD_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' };
}

// NOTIFY_SOCKET: a program in a shell must not speak to systemd for the daemon (NotifyAccess=all);
// NODE_CHANNEL_*: the IPC channel of a daemon started by an upgrade is the daemon's own.
const DROP_ENV = new Set(['NODE_OPTIONS', 'TMUX', 'TMUX_PANE', 'STY', 'COLUMNS', 'LINES', 'PROMPT_COMMAND', 'PS0', 'PS1', 'INVOCATION_ID', 'JOURNAL_STREAM', 'NOTIFY_SOCKET', 'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
