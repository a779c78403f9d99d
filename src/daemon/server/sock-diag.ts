// The only module that loads sock_diag.node (src/native/sock_diag.c, found by native-addon.ts):
// the kernel's answer to "who owns this TCP socket?" for one exact 4-tuple, in O(1) whatever the
// number of sockets.
import { loadAddon } from '../base/native-addon';

// The kernel's view of one socket. inode 0: no process holds it any more (TIME_WAIT, orphaned).
export interface SockInfo {
  uid: number;
  inode: number;
  state: number;
}

export interface SockDiag {
  // The socket whose own end is localIp:localPort and whose far end is remoteIp:remotePort;
  // null when there is none. Both addresses of one family. Throws when the kernel cannot be asked.
  lookup(localIp: string, localPort: number, remoteIp: string, remotePort: number): SockInfo | null;
}

export type SockDiagLoad = { ok: true; diag: SockDiag; from: string } | { ok: false; reason: string };

function checked(mod: unknown, from: string): SockDiagLoad {
  const diag = mod as Partial<SockDiag>;
  if (typeof diag.lookup !== 'function') return { ok: false, reason: `${from} has no lookup()` };
  return { ok: true, diag: diag as SockDiag, from };
}

// Loads the addon once; says why when it cannot.
export function loadSockDiag(): SockDiagLoad {
  const r = loadAddon('sock_diag');
  return r.ok ? checked(r.module, r.from) : r;
}
