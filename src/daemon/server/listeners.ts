// Binding the daemon's listening sockets: every host on one port (the first bind picks it when
// the port is 0) and the private unix socket; or, for a daemon taking over from an earlier one
// (upgrade/), the sockets it inherited as fds, listened on as they are.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { RelayError, isErrno } from '../../errors';
import type { Logger } from '../../log';
import type { InheritedListener } from './server';

export interface Bound {
  servers: Array<{ server: net.Server; viaUnix: boolean }>;
  port: number;
  addresses: string[]; // for the log and `server.listening`
}

// Listens as `config` says, each socket through a server from `make`; throws PR_ERR_LISTEN.
export async function bindAll(config: { hosts: string[]; port: number; unixSocket: string | null; inherited?: InheritedListener[] }, make: (viaUnix: boolean) => net.Server, log: Logger): Promise<Bound> {
  const servers: Bound['servers'] = [];
  let port = config.port;
  const addresses: string[] = [];
  const closeAll = (): void => {
    for (const s of servers) s.server.close();
  };
  for (const l of config.inherited ?? []) {
    const server = make(l.viaUnix);
    try {
      await listen(server, { fd: l.fd });
    } catch (err) {
      closeAll();
      throw new RelayError('PR_ERR_LISTEN', `cannot listen on the socket handed over as fd ${l.fd}`, { cause: err });
    }
    const a = server.address();
    if (l.viaUnix) addresses.push(`unix:${config.unixSocket ?? '?'}`);
    else if (a !== null && typeof a === 'object') {
      port = a.port;
      addresses.push(a.family === 'IPv6' ? `[${a.address}]:${port}` : `${a.address}:${port}`);
    }
    servers.push({ server, viaUnix: l.viaUnix });
  }
  for (const host of config.inherited === undefined ? config.hosts : []) {
    const server = make(false);
    try {
      await listen(server, { host, port, ipv6Only: host.includes(':') });
    } catch (err) {
      if (isErrno(err, 'EADDRNOTAVAIL') || isErrno(err, 'EAFNOSUPPORT')) {
        log.warn({ evt: 'server.skip_address', host }, `cannot bind ${host}; skipping it`);
        continue;
      }
      closeAll();
      const why = isErrno(err, 'EADDRINUSE') ? `port ${port} on ${host} is already in use (another pty-relay?): stop it (\`systemctl --user stop pty-relay\`) or pick another port with -p` : `cannot listen on ${host}:${port}: pick another port with -p, or other addresses with --host`;
      throw new RelayError('PR_ERR_LISTEN', why, { cause: err });
    }
    port = (server.address() as net.AddressInfo).port;
    addresses.push(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
    servers.push({ server, viaUnix: false });
  }
  if (config.unixSocket !== null && config.inherited === undefined) {
    const server = make(true);
    try {
      await listenUnix(server, config.unixSocket);
    } catch (err) {
      closeAll();
      throw err;
    }
    addresses.push(`unix:${config.unixSocket}`);
    servers.push({ server, viaUnix: true });
  }
  if (servers.length === 0) throw new RelayError('PR_ERR_LISTEN', `could not bind any of ${config.hosts.join(', ') || 'nothing'}`);
  return { servers, port, addresses };
}

function listen(server: net.Server, opts: net.ListenOptions | { fd: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// Listens on a unix socket readable by us only, replacing a stale socket file but never a live one.
async function listenUnix(server: net.Server, file: string): Promise<void> {
  if (fs.existsSync(file)) {
    const live = await new Promise<boolean>((resolve) => {
      const probe = net.connect(file);
      probe.once('connect', () => (probe.destroy(), resolve(true)));
      probe.once('error', () => resolve(false));
    });
    if (live) throw new RelayError('PR_ERR_LISTEN', `unix socket ${file} is in use by another pty-relay`);
    fs.rmSync(file, { force: true });
  }
  // Bound inside a fresh 0700 directory beside it, then renamed into place. No other user can
  // connect to it there (connecting needs search permission on every directory of the path), so the
  // bind's process umask does not matter: the socket is 0600 before anyone else can reach it. The
  // rename also keeps the path alive past our server (libuv unlinks the path a server bound when it
  // closes), for a new daemon that inherited the socket (upgrade/). (A umask around the bind would
  // do too, but the umask is process-wide and would race every other file this process makes.)
  let dir: string | null = null;
  try {
    dir = fs.mkdtempSync(path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.`));
    const tmp = path.join(dir, 's');
    await listen(server, { path: tmp });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } catch (err) {
    server.close();
    throw new RelayError('PR_ERR_LISTEN', `cannot listen on unix socket ${file}`, { cause: err });
  } finally {
    if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  }
}
