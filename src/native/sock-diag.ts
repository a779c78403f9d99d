// The only module that loads sock_diag.node (src/native/sock_diag.c, found by addon.ts): the
// kernel's answer to "who owns this TCP socket?" for one exact 4-tuple, in O(1) whatever the
// number of sockets, and to "who is the peer of this unix socket?" (SO_PEERCRED). The daemon asks
// about its clients (daemon/server/), and clients ask about the daemon (client/server-check.ts).
import { loadAddon } from './addon';

// The kernel's view of one socket. inode 0: no process holds it any more (TIME_WAIT, orphaned),
// or a connection still waiting in its listener's accept queue.
export interface SockInfo {
  uid: number;
  inode: number;
  state: number;
}

// The credentials the kernel recorded for a unix socket's peer.
export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

export interface SockDiag {
  // The socket whose own end is localIp:localPort and whose far end is remoteIp:remotePort;
  // null when there is none. Both addresses of one family. Throws when the kernel cannot be asked.
  lookup(localIp: string, localPort: number, remoteIp: string, remotePort: number): SockInfo | null;
  // SO_PEERCRED of the connected unix socket `fd`. Throws when it has none.
  peerCred(fd: number): PeerCred;
}

export type SockDiagLoad = { ok: true; diag: SockDiag; from: string } | { ok: false; reason: string };

function checked(mod: unknown, from: string): SockDiagLoad {
  const diag = mod as Partial<SockDiag>;
  if (typeof diag.lookup !== 'function' || typeof diag.peerCred !== 'function') return { ok: false, reason: `${from} has no lookup() or peerCred()` };
  return { ok: true, diag: diag as SockDiag, from };
}

let loaded: SockDiagLoad | null = null;

// Loads the addon once (later calls get the same answer); says why when it cannot.
export function loadSockDiag(): SockDiagLoad {
  if (loaded !== null) return loaded;
  const r = loadAddon('sock_diag');
  loaded = r.ok ? checked(r.module, r.from) : r;
  return loaded;
}

// The kernel's fd of a connected node socket; null when libuv does not expose one.
export function socketFd(socket: unknown): number | null {
  const fd = (socket as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}
