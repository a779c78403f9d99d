// `pty-relay exec`: send one script, stream its output, exit with the remote command's status.
import * as crypto from 'node:crypto';
import { STATUS_RELAY_ERROR, TrailerScanner } from '../protocol/exec-text';
import { connect, describeEndpoint, type Endpoint } from './endpoint';
import { closedSilently, connectionError, refusalHint, TRY_DOCTOR } from './explain';

export interface ExecClientOptions {
  endpoint: Endpoint;
  secret: string | null;
  session: string | undefined;
  timeoutS: number | undefined;
  script: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

// Runs the script remotely; resolves to the exit status the process should end with.
export function runExec(opts: ExecClientOptions): Promise<number> {
  const token = crypto.randomBytes(12).toString('hex');
  const head = [`#!trailer ${token}`];
  if (opts.secret !== null) head.push(`#!auth ${opts.secret}`);
  if (opts.session !== undefined) head.push(`#!session ${opts.session}`);
  if (opts.timeoutS !== undefined) head.push(`#!timeout ${opts.timeoutS}`);
  const script = opts.script.endsWith('\n') ? opts.script : `${opts.script}\n`;
  const scanner = new TrailerScanner(token);

  return new Promise((resolve, reject) => {
    const socket = connect(opts.endpoint, true);
    let received = 0;
    let connected = false;
    let tail = ''; // the last output, to recognise a refusal line from the daemon
    socket.on('connect', () => {
      connected = true;
      socket.write(`${head.join('\n')}\n${script}`);
      socket.end(); // EOF: the request is complete, no need to wait for a quiet period
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      const out = scanner.push(chunk);
      tail = (tail + out.subarray(Math.max(0, out.length - TAIL_CHARS)).toString('utf8')).slice(-TAIL_CHARS);
      if (out.length > 0 && !opts.out.write(out)) {
        socket.pause();
        opts.out.once('drain', () => socket.resume());
      }
    });
    socket.on('error', (err) => {
      reject(connectionError(opts.endpoint, err, connected, received > 0));
    });
    socket.on('close', () => {
      const result = scanner.result();
      if (result === null && received === 0) return reject(closedSilently(opts.endpoint));
      if (result === null) {
        const rest = scanner.rest();
        if (rest.length > 0) opts.out.write(rest);
        tail += rest.toString('utf8');
      }
      const refusal = /(?:^|\n)pty-relay: error: (.*)\n?$/.exec(tail);
      const hint = refusal === null ? null : refusalHint(refusal[1] as string, opts.secret !== null);
      if (hint !== null) opts.err.write(`pty-relay: ${hint}\n`);
      if (result !== null) return resolve(result.status);
      if (refusal === null) {
        opts.err.write(`pty-relay: the connection to ${describeEndpoint(opts.endpoint)} closed before the command finished (the daemon stopped or the tunnel dropped); it may still be running in its session; ${TRY_DOCTOR}\n`);
      }
      resolve(STATUS_RELAY_ERROR);
    });
  });
}

// Enough of the output's end to hold a refusal line.
const TAIL_CHARS = 1024;
