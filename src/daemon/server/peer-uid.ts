// Which local user is on the other end of a connection. TCP: asked of the kernel for the one
// socket (netlink sock_diag, O(1)), or, when the addon cannot be used, found by reading
// /proc/net/tcp{,6} (O(sockets on the machine); see security.ts). Unix socket: SO_PEERCRED, the
// credentials the kernel recorded at connect() (the same addon; Node has no API for it).
import { PeerUidResolver } from './security';
import { loadSockDiag, socketFd, type SockDiag, type SockInfo } from '../../native/sock-diag';

// A connection as the server sees it.
export interface PeerTuple {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

export type PeerUidMethod = 'netlink' | 'proc';

export interface PeerUidLookup {
  readonly method: PeerUidMethod;
  // Why this method (the addon's path, or why it could not be used).
  readonly detail: string;
  // The uid owning the client's end of the connection; null when nobody can be named.
  lookup(peer: PeerTuple): Promise<number | null>;
  // The uid of a unix-socket client (SO_PEERCRED); null without the addon, when only the
  // socket file's 0600 mode keeps others out.
  unixPeer(socket: unknown): number | null;
  // How unix peers are checked: by their uid, or only by the socket file's mode.
  readonly unixMethod: 'peercred' | 'mode';
}

// SO_PEERCRED of a unix-socket connection through the addon, when it is loaded.
function unixPeerVia(loaded: ReturnType<typeof loadSockDiag>): (socket: unknown) => number | null {
  if (!loaded.ok) return () => null;
  return (socket) => {
    const fd = socketFd(socket);
    if (fd === null) return null;
    try {
      return loaded.diag.peerCred(fd).uid;
    } catch {
      return null; // already closed by the client: nothing to serve
    }
  };
}

const MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

// A socket no process holds any more (TIME_WAIT, or closed by its owner) has no owner to name:
// the kernel even reports uid 0 for TIME_WAIT. Treat it as unknown, never as root.
function owner(info: SockInfo | null): number | null {
  return info === null || info.inode === 0 ? null : info.uid;
}

// Asks sock_diag about the client's end: local = the peer's address, remote = ours.
function askKernel(diag: SockDiag, p: PeerTuple): number | null {
  const r = MAPPED.exec(p.remoteAddress);
  const l = MAPPED.exec(p.localAddress);
  // An IPv4 client of a dual-stack IPv6 listener has an IPv4 socket of its own.
  if (r !== null && l !== null) {
    const v4 = owner(diag.lookup(r[1] as string, p.remotePort, l[1] as string, p.localPort));
    if (v4 !== null) return v4;
  }
  return owner(diag.lookup(p.remoteAddress, p.remotePort, p.localAddress, p.localPort));
}

// Chooses the method once. PTY_RELAY_PEER_UID=proc forces the /proc scan (tests, odd kernels).
// `onFallback` hears when a working addon later fails and the /proc scan takes over.
export function peerUidLookup(env: NodeJS.ProcessEnv = process.env, onFallback: (reason: string) => void = () => undefined): PeerUidLookup {
  const proc = new PeerUidResolver();
  const viaProc = (p: PeerTuple): Promise<number | null> => proc.lookup(p.remoteAddress, p.remotePort);
  const forced = env.PTY_RELAY_PEER_UID === 'proc';
  // Unix peers are asked about through the addon even when TCP peers are found in /proc.
  const unixPeer = unixPeerVia(loadSockDiag());
  const unixMethod = loadSockDiag().ok ? ('peercred' as const) : ('mode' as const);
  const loaded = forced ? ({ ok: false, reason: 'PTY_RELAY_PEER_UID=proc' } as const) : loadSockDiag();
  if (!loaded.ok) return { method: 'proc', detail: loaded.reason, lookup: viaProc, unixPeer, unixMethod };
  const { diag } = loaded;
  try {
    // A tuple that cannot exist: proves the kernel answers (sandboxes may forbid netlink).
    diag.lookup('127.0.0.1', 0, '127.0.0.1', 0);
  } catch (err) {
    return { method: 'proc', detail: (err as Error).message, lookup: viaProc, unixPeer, unixMethod };
  }
  const self = {
    method: 'netlink' as PeerUidMethod,
    detail: loaded.from,
    unixPeer,
    unixMethod,
    lookup: (p: PeerTuple): Promise<number | null> => {
      if (self.method === 'proc') return viaProc(p);
      try {
        return Promise.resolve(askKernel(diag, p));
      } catch (err) {
        self.method = 'proc';
        self.detail = (err as Error).message;
        onFallback(self.detail);
        return viaProc(p);
      }
    },
  };
  return self;
}
