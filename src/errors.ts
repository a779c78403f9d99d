// Stable error codes. The README's "Error codes" table lists each one with what to do about it.
export type ErrorCode =
  | 'PR_ERR_USAGE' // bad command-line arguments or configuration
  | 'PR_ERR_LISTEN' // the daemon could not bind its port
  | 'PR_ERR_CONNECT' // a client could not reach the daemon
  | 'PR_ERR_RUNTIME_DIR' // the private runtime directory is missing, unsafe or unwritable
  | 'PR_ERR_PROTOCOL' // the daemon sent frames the client cannot read
  | 'PR_ERR_TERMINAL' // pty-client was started without a terminal
  | 'PR_ERR_LIMIT' // a configured limit (sessions, clients) was reached
  | 'PR_ERR_WEB_TOKEN' // the web terminal's token file is unsafe or unreadable
  | 'PR_ERR_WEB'; // the web terminal is not reachable (the daemon runs without --web)

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
