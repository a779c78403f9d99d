// Where a client finds the daemon: a TCP host and port, or a unix socket path.
import * as net from 'node:net';

export type Endpoint = { host: string; port: number } | { path: string };

// Opens a socket to the endpoint. With `halfOpen` our side stays writable after the daemon's EOF
// (exec clients end their side first); without, the socket closes when the daemon's does.
export function connect(ep: Endpoint, halfOpen: boolean): net.Socket {
  const opts = { allowHalfOpen: halfOpen };
  return 'path' in ep ? net.connect({ path: ep.path, ...opts }) : net.connect({ host: ep.host, port: ep.port, noDelay: true, ...opts });
}

export function describeEndpoint(ep: Endpoint): string {
  return 'path' in ep ? `unix:${ep.path}` : `${ep.host}:${ep.port}`;
}
