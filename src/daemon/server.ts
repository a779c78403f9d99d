// The listening side: bind the loopback addresses, sniff each connection's first bytes and hand
// it to exec mode (text) or attach mode (frames).
import * as net from 'node:net';
import { RelayError, isErrno } from '../errors';
import type { Logger } from '../log';
import { sniff } from '../protocol/sniff';
import { serveAttach, type AttachConfig } from './attach';
import { serveExec, type ExecConfig } from './exec';
import type { Registry } from './registry';

export interface ServerConfig {
  hosts: string[];
  port: number;
  // A client that connects and sends nothing is closed after this long.
  handshakeMs: number;
  exec: ExecConfig;
  attach: AttachConfig;
}

export interface RunningServer {
  port: number;
  addresses: string[];
  close(): Promise<void>;
}

let connCounter = 0;
// How long shutdown waits for open connections to finish their last words.
const CLOSE_GRACE_MS = 2_000;

// Binds every host on one port (the first bind picks it when port is 0) and starts serving.
export async function startServer(config: ServerConfig, registry: Registry, log: Logger): Promise<RunningServer> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  let port = config.port;
  const addresses: string[] = [];
  for (const host of config.hosts) {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      accept(socket, config, registry, log.child({ conn: ++connCounter }));
    });
    try {
      await listen(server, host, port);
    } catch (err) {
      if (isErrno(err, 'EADDRNOTAVAIL') || isErrno(err, 'EAFNOSUPPORT')) {
        log.warn({ evt: 'server.skip_address', host }, `cannot bind ${host}; skipping it`);
        continue;
      }
      for (const s of servers) s.close();
      const why = isErrno(err, 'EADDRINUSE') ? `port ${port} on ${host} is already in use (another pty-relay?)` : `cannot listen on ${host}:${port}`;
      throw new RelayError('PR_ERR_LISTEN', why, { cause: err });
    }
    port = (server.address() as net.AddressInfo).port;
    addresses.push(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
    servers.push(server);
  }
  if (servers.length === 0) throw new RelayError('PR_ERR_LISTEN', `could not bind any of ${config.hosts.join(', ')}`);
  log.info({ evt: 'server.listening', port, addresses }, `listening on ${addresses.join(' and ')}`);
  return {
    port,
    addresses,
    close: async () => {
      for (const s of servers) s.close();
      // Give replies already written (shutdown notices) a moment to flush, then cut the rest.
      const until = Date.now() + CLOSE_GRACE_MS;
      while (sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.destroy();
    },
  };
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// Waits for the first bytes of a connection, then dispatches on them.
function accept(socket: net.Socket, config: ServerConfig, registry: Registry, log: Logger): void {
  log.debug({ evt: 'conn.accepted', peer: `${socket.remoteAddress}:${socket.remotePort}` }, 'connection');
  const handshake = setTimeout(() => {
    log.info({ evt: 'conn.handshake_timeout' }, 'no request received');
    socket.end(`pty-relay: error: no request received within ${config.handshakeMs / 1000} s\n`, () => socket.destroy());
  }, config.handshakeMs);
  const onEnd = (): void => {
    // Connected and closed without a byte (a port check such as `nc -z`): nothing to do.
    clearTimeout(handshake);
    socket.destroy();
  };
  socket.once('end', onEnd);
  socket.once('error', () => clearTimeout(handshake));
  socket.once('data', (first: Buffer) => {
    clearTimeout(handshake);
    socket.off('end', onEnd);
    if (sniff(first) === 'frames') serveAttach(socket, first, registry, config.attach, log);
    else serveExec(socket, first, registry, config.exec, log);
  });
}
