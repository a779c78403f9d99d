// Binding the daemon's listening sockets: every host on one port (the first bind picks it when
// the port is 0), the other loopback's guard (below) and the private unix socket; or, for a
// daemon taking over from an earlier one (upgrade/), the sockets it inherited as fds, listened on
// as they are.
//
// The guard: a daemon asked to bind only one of 127.0.0.1 and ::1 holds the other on the same
// port too, answering every connection there with a refusal. Otherwise another local user could
// listen on it, and every client that dials "localhost" there (stock Debian resolves it to ::1
// first, and so does an `ssh -L …:localhost:PORT` tunnel) would hand them its secret and commands.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { RelayError, isErrno } from '../../errors';
import type { Logger } from '../../log';

// A listening socket as handed from one daemon process to the next (upgrade/).
export interface InheritedListener {
  fd: number;
  viaUnix: boolean;
  guard?: boolean; // the other loopback's guard (below): refuses everything
}

export interface Bound {
  servers: Array<{ server: net.Server; viaUnix: boolean; guard?: boolean }>;
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
    const server = l.guard === true ? guardServer() : make(l.viaUnix);
    try {
      await listen(server, { fd: l.fd });
    } catch (err) {
      closeAll();
      throw new RelayError('PR_ERR_LISTEN', `cannot listen on the socket handed over as fd ${l.fd}`, { cause: err });
    }
    const a = server.address();
    if (l.guard === true) {
      servers.push({ server, viaUnix: false, guard: true });
      continue;
    }
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
  if (config.inherited === undefined) {
    const guard = await holdOtherLoopback(config.hosts, port, log);
    if (guard !== null) servers.push({ server: guard, viaUnix: false, guard: true });
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

const V4_ANY = new Set(['127.0.0.1', '0.0.0.0']);
const V6_ANY = new Set(['::1', '::']);

// A server that refuses every connection: the guard of the loopback we were not asked to serve.
function guardServer(): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('pty-relay: error: this daemon does not serve this address; connect to the address it listens on (see its server.listening log line)\n');
    setTimeout(() => socket.destroy(), GUARD_GRACE_MS).unref();
  });
}
// How long a guard's refusal line may take to be read before the connection is cut.
const GUARD_GRACE_MS = 200;

// Binds the loopback of the other family when `hosts` has exactly one of 127.0.0.1 and ::1 (or
// their wildcards); null when there is nothing to hold, or (said loudly) when it cannot be held.
async function holdOtherLoopback(hosts: string[], port: number, log: Logger): Promise<net.Server | null> {
  const v4 = hosts.some((h) => V4_ANY.has(h));
  const v6 = hosts.some((h) => V6_ANY.has(h));
  if (v4 === v6) return null;
  const other = v4 ? '::1' : '127.0.0.1';
  const server = guardServer();
  try {
    await listen(server, { host: other, port, ipv6Only: other.includes(':') });
  } catch (err) {
    if (isErrno(err, 'EADDRNOTAVAIL') || isErrno(err, 'EAFNOSUPPORT')) {
      log.info({ evt: 'server.loopback_guard', host: other, held: false, reason: (err as NodeJS.ErrnoException).code }, `${other} does not exist on this machine: nobody can listen there`);
    } else {
      const who = isErrno(err, 'EADDRINUSE') ? `something else already listens on ${other.includes(':') ? `[${other}]` : other}:${port}: clients that dial localhost may reach it instead of this daemon; find it with \`ss -ltnp\`` : (err as Error).message;
      log.error({ evt: 'server.loopback_guard', host: other, port, held: false, reason: (err as NodeJS.ErrnoException).code ?? 'error' }, `cannot hold the other loopback address: ${who}; or bind both (--host 127.0.0.1,::1)`);
    }
    return null;
  }
  log.info({ evt: 'server.loopback_guard', host: other, port, held: true }, `holding ${other} on port ${port} too, refusing every connection there, so that no other user can listen on it`);
  return server;
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
