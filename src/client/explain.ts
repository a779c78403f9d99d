// What a user sees when the chain to the daemon breaks: every failure names its cause and the
// next step, never a bare errno. Shared by exec, pty-client, ls/kill/new and doctor.
import { daemonCode, RelayError } from '../errors';
import type { Reply } from '../protocol/frame';
import { describeEndpoint, type Endpoint } from './endpoint';

export const TRY_DOCTOR = 'try `pty-relay doctor`';

// True for names and addresses that mean this machine (where a tunnel's local end sits).
export function isLocalHost(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]';
}

// A failed connect, or a connection that broke, explained.
export function connectError(ep: Endpoint, err: unknown): RelayError {
  // A server of another user, refused by server-check.ts: its message says it all.
  if (err instanceof RelayError && err.code === 'PR_ERR_NOT_OURS') return err;
  return new RelayError('PR_ERR_CONNECT', explainErrno(ep, err), { cause: err });
}

// The message for a system error on a connection to `ep`.
export function explainErrno(ep: Endpoint, err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
  const where = describeEndpoint(ep);
  if ('path' in ep) {
    switch (code) {
      case 'ENOENT':
        return `no unix socket at ${ep.path}: is the daemon running (\`systemctl --user status pty-relay\`)? ${TRY_DOCTOR}`;
      case 'ECONNREFUSED':
        return `nothing listens on the unix socket ${ep.path} (a file left behind?): is the daemon running? ${TRY_DOCTOR}`;
      case 'EACCES':
      case 'EPERM':
        return `permission denied on the unix socket ${ep.path}: it is private to the user running the daemon; connect as that user`;
      case 'ENOTSOCK':
        return `${ep.path} is not a socket: pass the daemon's socket (relay.sock in its runtime directory) to --socket`;
    }
  } else {
    const local = isLocalHost(ep.host);
    switch (code) {
      case 'ECONNREFUSED':
        return local
          ? `nothing listens on ${where}: is the tunnel up? ${TRY_DOCTOR}`
          : `nothing listens on ${where}: the daemon listens on loopback only; reach it through an SSH tunnel (\`pty-relay tunnel ${ep.host}\`, then connect to localhost); ${TRY_DOCTOR}`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `cannot resolve the host name "${ep.host}": check --host (through a tunnel the daemon is at localhost)`;
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return `cannot reach ${where} (${code}): the daemon listens on loopback only; use an SSH tunnel (\`pty-relay tunnel ${ep.host}\`) and connect to localhost`;
    }
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return `${where} reset the connection: the tunnel or the daemon went away; ${TRY_DOCTOR}`;
  return `cannot reach pty-relay at ${where} (${(err as Error | null)?.message ?? 'unknown error'}); ${TRY_DOCTOR}`;
}

// An error on a connection: when the other end had accepted it and then dropped it with a reset
// before saying anything, that is the silent close below (ssh resets when our bytes are unread).
export function connectionError(ep: Endpoint, err: unknown, connected: boolean, heard: boolean): RelayError {
  const code = typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
  if (connected && !heard && (code === 'ECONNRESET' || code === 'EPIPE')) return closedSilently(ep);
  return connectError(ep, err);
}

// The end accepted the connection, then closed it without a byte: a tunnel whose far end has
// nothing listening does exactly this.
export function closedSilently(ep: Endpoint): RelayError {
  return new RelayError(
    'PR_ERR_CONNECT',
    `${describeEndpoint(ep)} accepted the connection and closed it without a word: if it is an SSH tunnel, nothing listens at its far end (is the daemon running on the server?); ${TRY_DOCTOR}`,
  );
}

// The end answered, but not as pty-relay does.
export function notRelay(ep: Endpoint, said: Buffer): RelayError {
  return new RelayError('PR_ERR_PROTOCOL', `${describeEndpoint(ep)} does not speak pty-relay (it said "${printable(said)}"): is another program listening there? ${TRY_DOCTOR}`);
}

// The first bytes of an answer, safe to print on one line.
export function printable(b: Buffer, max = 40): string {
  const text = b.subarray(0, max).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return b.length > max ? `${text}…` : text;
}

// The next step for a refusal line the daemon sends before any request is read
// (`pty-relay: error: …`), or null when the line is not one of those.
export function refusalHint(line: string, hasSecret: boolean): string | null {
  const uid = /connections from uid (\d+) are not allowed; this daemon serves uid (\d+)/.exec(line);
  if (uid !== null) {
    return `the daemon belongs to uid ${uid[2]} and you reach it as uid ${uid[1]}: connect as the daemon's user (through a tunnel, ssh in as that user)`;
  }
  if (/cannot tell which local user/.test(line)) return 'the daemon cannot read /proc/net/tcp to identify you: connect through its unix socket (--socket)';
  if (/authentication required/.test(line)) return 'the daemon has a shared secret: set PTY_RELAY_SECRET, or pass --secret-file FILE (mode 600)';
  if (/authentication failed/.test(line)) {
    return hasSecret ? "the daemon rejected the secret: PTY_RELAY_SECRET or --secret-file must hold the daemon's secret" : 'the daemon has a shared secret: set PTY_RELAY_SECRET';
  }
  if (/too many new connections/.test(line)) return 'wait a second and try again';
  return null;
}

// True when a refusal is final: trying again cannot help (another user's daemon).
export function isFinalRefusal(line: string): boolean {
  return /are not allowed; this daemon serves uid|cannot tell which local user/.test(line);
}

// The error for a daemon's negative reply (ERROR frame) to ls, kill, new or attach.
export function replyError(reply: Extract<Reply, { ok: false }>, hasSecret: boolean): RelayError {
  const code = daemonCode(reply.code);
  let next = '';
  if (code === 'PR_ERR_AUTH') next = hasSecret ? ": PTY_RELAY_SECRET or --secret-file must hold the daemon's secret" : '';
  else if (code === 'PR_ERR_NO_SESSION') next = ': see `pty-relay ls`';
  else if (code === 'PR_ERR_SHUTDOWN') next = ': start it again (`systemctl --user start pty-relay`)';
  return new RelayError(code, `${reply.message}${next}`);
}
