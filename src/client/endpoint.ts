// Where a client finds the daemon: a TCP host and port, or a unix socket path.
import * as net from 'node:net';
import { checkServer } from './server-check';
import type { Endpoint } from './where';

export { describeEndpoint, type Endpoint } from './where';

// Opens a socket to the endpoint. With `halfOpen` our side stays writable after the daemon's EOF
// (exec clients end their side first); without, the socket closes when the daemon's does.
export function connect(ep: Endpoint, halfOpen: boolean): net.Socket {
  const opts = { allowHalfOpen: halfOpen };
  return 'path' in ep ? net.connect({ path: ep.path, ...opts }) : net.connect({ host: ep.host, port: ep.port, noDelay: true, ...opts });
}

// Errors after which the next loopback address is worth a try.
const TRY_NEXT = new Set(['ECONNREFUSED', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENETUNREACH']);

// Connects like connect(), resolving once connected and once the server proved to run as our
// user (server-check.ts; else PR_ERR_NOT_OURS, with nothing sent). "localhost" is dialled as
// 127.0.0.1, then ::1 (the daemon binds both by default), without the DNS lookup and the IPv6
// address check that net.connect() runs on a name: together ~10 ms of a short-lived client's
// start, measured here. A server of another user on 127.0.0.1 is refused, never skipped for ::1.
export function dial(ep: Endpoint, halfOpen: boolean): Promise<net.Socket> {
  const targets: Endpoint[] = 'host' in ep && ep.host === 'localhost' ? [{ host: '127.0.0.1', port: ep.port }, { host: '::1', port: ep.port }] : [ep];
  return new Promise((resolve, reject) => {
    const attempt = (i: number): void => {
      const socket = connect(targets[i] as Endpoint, halfOpen);
      const onError = (err: NodeJS.ErrnoException): void => {
        if (i + 1 < targets.length && TRY_NEXT.has(err.code ?? '')) attempt(i + 1);
        else reject(err);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        checkServer(socket, targets[i] as Endpoint).then(
          () => resolve(socket),
          (err: Error) => {
            socket.destroy();
            reject(err);
          },
        );
      });
    };
    attempt(0);
  });
}
