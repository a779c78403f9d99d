// pty-client: attach the local terminal to a session, detach with a key, reconnect on its own.
import { AttachConnection, type Ending } from './connection';
import type { Endpoint } from './endpoint';
import { STATUS_PREFIX, statusRows } from './status-line';
import { enterRawMode } from './terminal';
import { clampSize } from '../protocol/frame';

export interface ClientOptions {
  endpoint: Endpoint;
  secret: string | null;
  session: string;
  readOnly: boolean;
  detachKey: number | null; // a byte, or null for none
  heartbeatMs: number;
  maxAttempts: number;
}

// Runs the client; resolves to the exit code.
export async function runClient(o: ClientOptions): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const term = enterRawMode(stdin);
  // A terminal bigger than the protocol allows asks for the largest size (MAX_TERM_DIM).
  const size = (): { cols: number; rows: number } => clampSize(stdout.columns || 80, stdout.rows || 24);
  let statusShown = 0; // rows of the terminal the status covers
  const conn = new AttachConnection({
    endpoint: o.endpoint,
    secret: o.secret,
    session: o.session,
    readOnly: o.readOnly,
    heartbeatMs: o.heartbeatMs,
    maxAttempts: o.maxAttempts,
    size,
    output: (data) => stdout.write(data),
    // A fresh attach: reset attributes, clear, then draw the session's screen.
    screen: (data) => stdout.write(Buffer.concat([Buffer.from('\x1b[0m\x1b[H\x1b[2J\x1b[3J'), data])),
    // Drawn with the cursor (and its pen) saved and restored, like the status.
    repaint: (data) => stdout.write(Buffer.concat([Buffer.from('\x1b7'), data, Buffer.from('\x1b8')])),
    // The status lives on the terminal's last rows; the cursor is saved and restored around it.
    status: (s) => {
      if (s === null && statusShown === 0) return;
      const { cols, rows } = size();
      const lines = s === null ? [] : statusRows(s, cols);
      // Rows it covered before and covers no more are cleared too.
      const span = Math.min(rows, Math.max(statusShown, lines.length));
      statusShown = lines.length;
      let out = '\x1b7';
      for (let i = 0; i < span; i++) {
        const line = lines[i - (span - lines.length)];
        out += `\x1b[${rows - span + 1 + i};1H\x1b[2K${line === undefined ? '' : `\x1b[7m${line}\x1b[0m`}`;
      }
      process.stderr.write(`${out}\x1b8`);
    },
  });
  stdin.on('data', (chunk: Buffer) => {
    const at = o.detachKey === null ? -1 : chunk.indexOf(o.detachKey);
    if (at === -1) return conn.input(chunk);
    conn.input(chunk.subarray(0, at));
    conn.detach();
  });
  stdin.resume();
  const onResize = (): void => conn.resize();
  stdout.on('resize', onResize);
  const ending = await conn.run();
  stdout.off('resize', onResize);
  term.restore();
  process.stderr.write(`\r\n${STATUS_PREFIX} ${describe(ending, o.session)}\r\n`);
  return exitCode(ending);
}

function describe(e: Ending, session: string): string {
  switch (e.kind) {
    case 'exit':
      // A negative status: the daemon took the program over from an earlier daemon process and
      // could not learn how it ended.
      return `session "${session}" ended (${e.signal !== 0 ? `signal ${e.signal}` : e.status < 0 ? 'exit status unknown' : `exit status ${e.status}`})`;
    case 'detached':
      return `detached from session "${session}"; it keeps running`;
    case 'gave-up':
      return `giving up after ${e.attempts} reconnect attempts (${e.reason})`;
    case 'error':
      return `error: ${e.message} [${e.code}]`;
  }
}

function exitCode(e: Ending): number {
  switch (e.kind) {
    case 'exit':
      return e.signal !== 0 ? 128 + e.signal : e.status < 0 ? 255 : e.status;
    case 'detached':
      return 0;
    default:
      return 255;
  }
}
