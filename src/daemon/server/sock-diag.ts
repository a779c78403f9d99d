// The only module that loads sock_diag.node (src/native/sock_diag.c): the kernel's answer to
// "who owns this TCP socket?" for one exact 4-tuple, in O(1) whatever the number of sockets.
// Inside the single binary the addon is an embedded SEA asset (extracted to the sha256-keyed
// cache dir like node-pty's); otherwise it is dist/native/sock_diag.node, built by `make build`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNativeModule } from '../../build/native-loader';

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

interface SeaApi {
  isSea(): boolean;
}

// Where the addon sits outside the binary: beside dist/main.js, seen from dist/bench/, or dist/
// seen from src/ (tests).
function candidates(): string[] {
  return [path.join(__dirname, 'native', 'sock_diag.node'), path.resolve(__dirname, '../native/sock_diag.node'), path.resolve(__dirname, '../../../dist/native/sock_diag.node')];
}

function isSea(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:sea') as SeaApi).isSea();
  } catch {
    return false;
  }
}

function checked(mod: unknown, from: string): SockDiagLoad {
  const diag = mod as Partial<SockDiag>;
  if (typeof diag.lookup !== 'function') return { ok: false, reason: `${from} has no lookup()` };
  return { ok: true, diag: diag as SockDiag, from };
}

// Loads the addon once; says why when it cannot.
export function loadSockDiag(): SockDiagLoad {
  if (process.platform !== 'linux') return { ok: false, reason: `no sock_diag on ${process.platform}` };
  if (isSea()) {
    try {
      const { dir, module } = loadNativeModule('sock_diag');
      return checked(module, path.join(dir, 'sock_diag.node'));
    } catch (err) {
      return { ok: false, reason: (err as Error).message.split('\n')[0] ?? 'cannot load the embedded addon' };
    }
  }
  const file = candidates().find((f) => fs.existsSync(f));
  if (file === undefined) return { ok: false, reason: 'sock_diag.node is not built (make build)' };
  try {
    const mod = { exports: {} as unknown };
    process.dlopen(mod, file);
    return checked(mod.exports, file);
  } catch (err) {
    return { ok: false, reason: `${file}: ${(err as Error).message.split('\n')[0] ?? 'cannot load'}` };
  }
}
