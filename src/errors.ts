// Stable error codes. The README's "Error codes" table lists each one with what to do about it.
export type ErrorCode =
  | 'PR_ERR_USAGE' // bad command-line arguments or configuration
  | 'PR_ERR_LISTEN' // the daemon could not bind its port
  | 'PR_ERR_CONNECT' // a client could not reach the daemon
  | 'PR_ERR_NOT_OURS' // a client found a socket or port served by another user, and sent nothing
  | 'PR_ERR_RUNTIME_DIR' // the private runtime directory is missing, unsafe or unwritable
  | 'PR_ERR_PROTOCOL' // the daemon sent frames the client cannot read
  | 'PR_ERR_TERMINAL' // pty-client was started without a terminal
  | 'PR_ERR_LIMIT' // a configured limit (sessions, clients) was reached
  | 'PR_ERR_TIMEOUT' // the other end accepted the connection but did not answer in time
  | 'PR_ERR_BUILD' // a part of the build (the mirror worker bundle) is missing
  | 'PR_ERR_UPGRADE' // handing the sessions to a new daemon process failed; the old one serves on
  | 'PR_ERR_HANDOVER' // (new daemon) the handover document could not be read or adopted
  | 'PR_ERR_HOLDER' // a session holder could not be started or reached
  | 'PR_ERR_WEB_TOKEN' // the web terminal's token file is unsafe or unreadable
  | 'PR_ERR_WEB' // the web terminal is not reachable (the daemon runs without --web)
  | 'PR_ERR_WEB_PUSH' // the Web Push key file is unsafe or unreadable
  | 'PR_ERR_NO_PTY' // `serve` in an installation without node-pty (the npm package without its optional dependency)
  | 'PR_ERR_PLATFORM' // `serve` off Linux
  // Codes the daemon sends in ERROR frames, which clients pass on as they are:
  | 'PR_ERR_AUTH' // the shared secret was missing or wrong
  | 'PR_ERR_VERSION' // the two ends speak different protocol versions
  | 'PR_ERR_NO_SESSION' // no session by that name
  | 'PR_ERR_SESSION_EXISTS' // `new` with a name already taken
  | 'PR_ERR_SESSION_NAME' // an invalid session name
  | 'PR_ERR_SPAWN' // the program of a `new` session could not start
  | 'PR_ERR_SANDBOX' // a sandbox was asked for and cannot be made as the profile says (no bwrap, unknown profile, caps this host cannot enforce)
  | 'PR_ERR_SHUTDOWN'; // the daemon is shutting down

// The codes a daemon's ERROR frame may carry that clients know by name.
const DAEMON_CODES: readonly string[] = ['PR_ERR_AUTH', 'PR_ERR_VERSION', 'PR_ERR_NO_SESSION', 'PR_ERR_SESSION_EXISTS', 'PR_ERR_SESSION_NAME', 'PR_ERR_SPAWN', 'PR_ERR_SANDBOX', 'PR_ERR_SHUTDOWN', 'PR_ERR_LIMIT', 'PR_ERR_PROTOCOL', 'PR_ERR_UPGRADE'];

// The code of a daemon's ERROR frame as one of ours (unknown codes become PR_ERR_PROTOCOL).
export function daemonCode(code: string): ErrorCode {
  return DAEMON_CODES.includes(code) ? (code as ErrorCode) : 'PR_ERR_PROTOCOL';
}

// An error with a stable code; `cause` keeps the underlying error.
export class RelayError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelayError';
    this.code = code;
  }
}

// True when `err` is a Node system error with the given errno code (EADDRINUSE, ENOENT, …).
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
