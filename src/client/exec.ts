// `pty-relay exec`: send one script, stream its output, exit with the remote command's status.
// sendExec() is the exchange itself (one request, one reply), shared with the MCP server.
import { STATUS_RELAY_ERROR, TrailerScanner, type Trailer } from '../protocol/exec-text';
import { describeEndpoint, dial, type Endpoint } from './endpoint';
import { closedSilently, connectionError, refusalHint, TRY_DOCTOR } from './explain';
import { randomHex } from './token';

// Where reply output goes: a stream, or anything with its write/drain contract.
export interface OutputSink {
  write(data: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface ExecRequest {
  endpoint: Endpoint;
  secret: string | null;
  directives: string[]; // whole directive lines without their newline, e.g. "#!session build"
  script: string; // shell text; may be empty for directive-only requests
  out: OutputSink;
  // Where the relay's own words go (its `pty-relay: …` lines, output printed while no command ran),
  // apart from the output (`#!notes`); without it they are lines in `out`, as for nc.
  notes?: { write(data: Buffer): unknown };
  signal?: AbortSignal; // aborting closes the connection (the command itself runs on)
}

// Sends one request with a fresh `#!trailer` token and streams the reply's output to `out`.
// Resolves to the trailer, or null when the connection closed before one arrived (any output
// held back by then has been written to `out`); rejects with PR_ERR_CONNECT when the daemon
// cannot be reached. With `notes`, a daemon too old to know `#!notes` (it refuses the request
// before anything runs) gets the request again without it.
export async function sendExec(req: ExecRequest): Promise<Trailer | null> {
  if (req.notes === undefined) return exchange(req);
  const notes = req.notes;
  let held: Buffer[] | null = []; // output and notes of a reply whose daemon has not said it knows #!notes
  const out: OutputSink = { write: (d) => (held === null ? req.out.write(d) : held.push(Buffer.from(d)) > 0), once: (e, l) => req.out.once(e, l) };
  const trailer = await exchange({ ...req, out }, () => {
    for (const d of held ?? []) req.out.write(d);
    held = null;
  });
  if (held === null) return trailer;
  const text = Buffer.concat(held);
  if (/^pty-relay: error: unknown directive "#!notes"/m.test(text.toString('utf8'))) return exchange({ ...req, notes: undefined });
  notes.write(text); // what a daemon says before it knows the request (a refusal) is its own words
  return trailer;
}

// One request and its reply; `acked` is called when the daemon confirms #!notes (its first note).
function exchange(req: ExecRequest, acked?: () => void): Promise<Trailer | null> {
  const token = randomHex(12);
  const head = [`#!trailer ${token}`];
  if (req.secret !== null) head.push(`#!auth ${req.secret}`);
  if (req.notes !== undefined) head.push('#!notes');
  head.push(...req.directives);
  const script = req.script === '' || req.script.endsWith('\n') ? req.script : `${req.script}\n`;
  const notes = req.notes;
  const scanner = new TrailerScanner(
    token,
    notes === undefined
      ? null
      : (data) => {
          if (scanner.notes === 1) acked?.();
          if (data.length > 0) notes.write(data);
        },
  );

  return new Promise((resolve, reject) => {
    let received = 0;
    dial(req.endpoint, true).then(
      (socket) => {
        const abort = (): void => {
          socket.destroy();
        };
        if (req.signal?.aborted === true) abort();
        req.signal?.addEventListener('abort', abort, { once: true });
        socket.write(`${head.join('\n')}\n${script}`);
        socket.end(); // EOF: the request is complete, no need to wait for a quiet period
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
          const out = scanner.push(chunk);
          if (out.length > 0 && !req.out.write(out)) {
            socket.pause();
            req.out.once('drain', () => socket.resume());
          }
        });
        socket.on('error', (err) => {
          reject(connectionError(req.endpoint, err, true, received > 0));
        });
        socket.on('close', () => {
          req.signal?.removeEventListener('abort', abort);
          const result = scanner.result();
          if (result !== null) return resolve(result);
          if (received === 0 && req.signal?.aborted !== true) return reject(closedSilently(req.endpoint));
          const rest = scanner.rest();
          if (rest.length > 0) req.out.write(rest);
          resolve(null);
        });
      },
      (err: Error) => reject(connectionError(req.endpoint, err, false, false)),
    );
  });
}

export interface ExecClientOptions {
  endpoint: Endpoint;
  secret: string | null;
  session: string | undefined;
  timeoutS: number | undefined;
  // Without timeoutS, follow the job to its end (`#!timeout 0`) instead of the daemon's default,
  // which is chosen for agents' tool calls, not for scripts (exec and wait).
  follow?: boolean;
  directives?: string[]; // further `#!` lines, e.g. `#!wait 3` or `#!raw` (without the newline)
  script: string;
  out: OutputSink; // the command's output only
  err: { write(data: string | Buffer): unknown }; // the relay's own messages (the daemon's notes too)
}

// Runs the script (or the directives alone) remotely; resolves to the exit status to end with:
// the command's, 124 while it still runs or waits for input, 255 for relay errors. The output goes
// to `out`, the daemon's own words (`pty-relay: …` lines) to `err`, so that a script capturing
// the output gets only the command's.
export async function runExec(opts: ExecClientOptions): Promise<number> {
  const directives: string[] = [];
  if (opts.session !== undefined) directives.push(`#!session ${opts.session}`);
  const timeoutS = opts.timeoutS ?? (opts.follow === true ? 0 : undefined);
  if (timeoutS !== undefined) directives.push(`#!timeout ${timeoutS}`);
  directives.push(...(opts.directives ?? []));
  const script = opts.script === '' || opts.script.endsWith('\n') ? opts.script : `${opts.script}\n`;
  let tail = ''; // the reply's end, to recognise a refusal line from the daemon
  const seen = (data: Buffer): void => {
    tail = (tail + data.subarray(Math.max(0, data.length - TAIL_CHARS)).toString('utf8')).slice(-TAIL_CHARS);
  };
  const out: OutputSink = {
    write: (data) => {
      seen(data);
      return opts.out.write(data);
    },
    once: (event, listener) => opts.out.once(event, listener),
  };
  const notes = {
    write: (data: Buffer): void => {
      seen(data);
      opts.err.write(data);
    },
  };
  const trailer = await sendExec({ endpoint: opts.endpoint, secret: opts.secret, directives, script, out, notes });
  const refusal = /(?:^|\n)pty-relay: error: (.*)\n?$/.exec(tail);
  const hint = refusal === null ? null : refusalHint(refusal[1] as string, opts.secret !== null);
  if (hint !== null) opts.err.write(`pty-relay: ${hint}\n`);
  if (trailer !== null) return trailer.status;
  if (refusal === null) {
    opts.err.write(`pty-relay: the connection to ${describeEndpoint(opts.endpoint)} closed before the command finished (the daemon stopped or the tunnel dropped); it may still be running in its session; ${TRY_DOCTOR}\n`);
  }
  return STATUS_RELAY_ERROR;
}

// Enough of the output's end to hold a refusal line.
const TAIL_CHARS = 1024;
