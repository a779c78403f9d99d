// Who is on the other end, seen from a client: before a client sends a byte (a secret, a command,
// a keystroke) it makes sure that the process it reached runs as its own user. Anyone on the
// machine can create /tmp/pty-relay-UID/relay.sock, or listen on [::1]:9998 while our daemon holds
// only 127.0.0.1 (or is down); whoever answers there would receive the secret and every command,
// and could answer with forged results. So:
//   - unix socket: SO_PEERCRED, the uid the kernel recorded when the server called listen();
//   - loopback TCP: sock_diag, the uid owning the server's side of our connection (the socket the
//     listener accepted), or the listener itself while our connection waits in its accept queue.
// A daemon on another machine (--allow-remote) cannot be asked about: its secret guards it.
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as v8 from 'node:v8';
import { RelayError } from '../errors';
import { loadSockDiag, socketFd, type SockDiag, type SockInfo } from '../native/sock-diag';
import { describeEndpoint, type Endpoint } from './where';

// TCP states (include/net/tcp_states.h) of a full socket, whose owner the kernel records.
const TCP_LISTEN = 10;
const FULL_SOCKET_STATES = new Set([1, 4, 5, 8, 9, 11]); // ESTABLISHED, FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

// True for 127.0.0.0/8, ::1 and their IPv4-mapped form.
export function isLoopbackAddress(a: string): boolean {
  return a.startsWith('127.') || a === '::1' || /^::ffff:127\./i.test(a);
}

// The uid that owns the server of `socket` (connected to `ep`); null when nobody can be named.
// Throws when the kernel cannot be asked.
function serverUid(diag: SockDiag, socket: net.Socket, ep: Endpoint): number | null {
  if ('path' in ep) {
    const fd = socketFd(socket);
    return fd === null ? null : diag.peerCred(fd).uid;
  }
  const server = { ip: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
  const client = { ip: socket.localAddress ?? '', port: socket.localPort ?? 0 };
  // The socket the server accepted: its own end is the server's address, its far end ours. It has
  // an inode once the server took it out of the accept queue.
  const accepted = ask(diag, server.ip, server.port, client.ip, client.port);
  if (accepted !== null && accepted.inode !== 0 && FULL_SOCKET_STATES.has(accepted.state)) return accepted.uid;
  // Not accepted yet (a connection the server has not got round to, or will never take): the
  // listener that would hand it over, found by the same exact lookup with no far end.
  const listener = ask(diag, server.ip, server.port, server.ip.includes(':') ? '::' : '0.0.0.0', 0);
  if (listener !== null && listener.inode !== 0 && listener.state === TCP_LISTEN) return listener.uid;
  return null;
}

// One lookup; an IPv4-mapped pair is tried as IPv4 too (a dual-stack server's socket).
function ask(diag: SockDiag, localIp: string, localPort: number, remoteIp: string, remotePort: number): SockInfo | null {
  const l = MAPPED_V4.exec(localIp);
  const r = MAPPED_V4.exec(remoteIp);
  if (l !== null && (r !== null || remoteIp === '::')) {
    const v4 = diag.lookup(l[1] as string, localPort, r !== null ? (r[1] as string) : '0.0.0.0', remotePort);
    if (v4 !== null) return v4;
  }
  return diag.lookup(localIp, localPort, remoteIp, remotePort);
}

// Why a socket's server cannot be checked here; null when it can (and must) be.
function unverifiable(ep: Endpoint, socket: net.Socket): string | null {
  if (process.getuid === undefined) return 'no user ids on this platform';
  if (!('path' in ep) && !isLoopbackAddress(socket.remoteAddress ?? '')) return 'a daemon on another machine: its shared secret guards it';
  // The single binary's startup snapshot runs one exec round trip against a server inside the
  // build itself (cli/exec-warmup.ts); a native addon cannot be part of a snapshot.
  if (v8.startupSnapshot.isBuildingSnapshot()) return 'building the startup snapshot';
  return null;
}

// Checks that the server at the other end of the freshly connected `socket` runs as our uid.
// Resolves when it does (or when it cannot be known: see unverifiable() and the fallbacks below);
// rejects with PR_ERR_NOT_OURS, before the caller wrote anything, when it does not.
export function checkServer(socket: net.Socket, ep: Endpoint): Promise<void> {
  if (unverifiable(ep, socket) !== null) return Promise.resolve();
  const own = (process.getuid as () => number)();
  const loaded = loadSockDiag();
  let uid: number | null;
  if (loaded.ok) {
    try {
      uid = serverUid(loaded.diag, socket, ep);
    } catch (err) {
      return Promise.reject(new RelayError('PR_ERR_NOT_OURS', `cannot ask the kernel who listens on ${describeEndpoint(ep)} (${(err as Error).message}); refusing to send anything there`, { cause: err }));
    }
  } else if ('path' in ep) {
    // No addon (macOS, or an unbuilt tree): the socket file's owner is who bound it. Weaker than
    // SO_PEERCRED (the path is looked at again, after the connect), and enough in a 0700 directory.
    uid = ownerOf(ep.path);
  } else {
    // No addon: on macOS (the laptop end of a tunnel) there is no sock_diag and no portable way to
    // name the owner of another process's TCP socket, so a loopback port is trusted as it is;
    // forward the daemon's unix socket instead (README "Security model"). On Linux the addon is
    // part of every build (make build, the single binary).
    return Promise.resolve();
  }
  if (uid === own) return Promise.resolve();
  const who = uid === null ? 'a socket whose owner the kernel cannot name' : `uid ${uid}, not you (uid ${own})`;
  const fix = 'path' in ep ? 'Another user may have planted it: remove it, and pass the socket of your own daemon with --socket' : 'Another user may be squatting the port while your daemon is down or bound elsewhere: start your daemon, or connect through its unix socket (--socket)';
  return Promise.reject(new RelayError('PR_ERR_NOT_OURS', `refusing ${describeEndpoint(ep)}: it is served by ${who}; nothing was sent. ${fix}`));
}

function ownerOf(file: string): number | null {
  try {
    return fs.statSync(file).uid;
  } catch {
    return null;
  }
}
