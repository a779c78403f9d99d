// Defaults, environment equivalents and validation for the command line.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayError } from '../errors';
import { LOG_LEVELS, type LogLevel } from '../log';

export const DEFAULT_PORT = 9998;
// Stock Debian resolves `localhost` to ::1 first, so both loopbacks are bound (DESIGN.md §3).
export const DEFAULT_HOSTS = ['127.0.0.1', '::1'];
// Long enough for builds and test suites, short enough that a command stuck on a password prompt
// is reported within the 10-minute ceiling that agent tools put on one shell call.
export const DEFAULT_EXEC_TIMEOUT_S = 600;
// Scripts are source text; anything bigger is almost certainly a mistake (piping a binary file).
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
export const HANDSHAKE_MS = 30_000;
// Output kept per session for resume and reattach. 1 MiB is ~10,000 lines of typical terminal text:
// far more than a tunnel outage usually lets through, and small enough for a hundred sessions.
export const DEFAULT_RING_BYTES = 1024 * 1024;
// Attach heartbeat: the client pings this often; each side drops a link silent for 3 intervals,
// so a dead tunnel is noticed within about 30 s. PTY_RELAY_HEARTBEAT_MS overrides it (tests).
export const HEARTBEAT_MS = 10_000;
export const DEFAULT_DETACH_KEY = '^\\';

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

export function parseLogLevel(v: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(v)) {
    throw new RelayError('PR_ERR_USAGE', `invalid log level "${v}" (one of ${LOG_LEVELS.join(', ')})`);
  }
  return v as LogLevel;
}

// Parses a comma-separated list of loopback addresses.
export function parseHosts(v: string): string[] {
  const hosts = v.split(',').map((h) => h.trim().replace(/^\[(.*)\]$/, '$1')).filter((h) => h !== '');
  for (const h of hosts) {
    if (h !== 'localhost' && !isLoopback(h)) {
      throw new RelayError('PR_ERR_USAGE', `refusing to listen on ${h}: pty-relay gives shells to whoever connects, so it binds loopback only; reach it through an SSH tunnel`);
    }
  }
  if (hosts.length === 0) throw new RelayError('PR_ERR_USAGE', 'no address given to --host');
  return hosts.flatMap((h) => (h === 'localhost' ? DEFAULT_HOSTS : [h]));
}

function isLoopback(h: string): boolean {
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./i.test(h);
  return false;
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

const DROP_ENV = new Set(['NODE_OPTIONS', 'TMUX', 'TMUX_PANE', 'STY', 'COLUMNS', 'LINES', 'PROMPT_COMMAND', 'PS0', 'PS1', 'INVOCATION_ID', 'JOURNAL_STREAM']);
