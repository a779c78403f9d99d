// Stable error codes. The README's "Error codes" table lists each one with what to do about it.
export type ErrorCode =
  | 'PR_ERR_USAGE' // bad command-line arguments or configuration
  | 'PR_ERR_LISTEN' // the daemon could not bind its port
  | 'PR_ERR_CONNECT' // a client could not reach the daemon
  | 'PR_ERR_RUNTIME_DIR' // the private runtime directory is missing, unsafe or unwritable
  | 'PR_ERR_SPAWN' // the session's shell could not be started
  | 'PR_ERR_SESSION_NAME' // a session name failed validation
  | 'PR_ERR_DIRECTIVE' // an exec request carried an unknown or malformed #! directive
  | 'PR_ERR_REQUEST' // an exec request was refused (too large, binary, HTTP, empty)
  | 'PR_ERR_BUSY' // the session is running another command and the request asked not to wait
  | 'PR_ERR_TIMEOUT' // the request's timeout expired; the command keeps running
  | 'PR_ERR_SHELL_EXIT' // the session's shell ended while a command was running
  | 'PR_ERR_PROTOCOL'; // the peer broke the wire protocol

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
