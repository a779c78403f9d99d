// `pty-relay exec`: send one script, stream its output, exit with the remote command's status.
import * as crypto from 'node:crypto';
import { RelayError } from '../errors';
import { STATUS_RELAY_ERROR, TrailerScanner } from '../protocol/exec-text';
import { describeEndpoint, dial, type Endpoint } from './endpoint';

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
    dial(opts.endpoint, true).then(
      (socket) => {
        socket.write(`${head.join('\n')}\n${script}`);
        socket.end(); // EOF: the request is complete, no need to wait for a quiet period
        socket.on('data', (chunk: Buffer) => {
          const out = scanner.push(chunk);
          if (out.length > 0 && !opts.out.write(out)) {
            socket.pause();
            opts.out.once('drain', () => socket.resume());
          }
        });
        // Once connected, 'close' reports whatever was lost.
        socket.on('error', () => undefined);
        socket.on('close', () => {
          const result = scanner.result();
          if (result !== null) return resolve(result.status);
          const rest = scanner.rest();
          if (rest.length > 0) opts.out.write(rest);
          opts.err.write('pty-relay: the connection closed before the command finished\n');
          resolve(STATUS_RELAY_ERROR);
        });
      },
      (err: Error) => reject(new RelayError('PR_ERR_CONNECT', `cannot reach pty-relay at ${describeEndpoint(opts.endpoint)}: ${err.message}`, { cause: err })),
    );
  });
}
