// Where this machine's daemon has its unix socket, for clients that look for it themselves
// (`pty-relay mcp` run over ssh needs no tunnel). Only places that are ours are taken: another user
// can create /tmp/pty-relay-UID before us, and whatever listens there would receive the secret and
// every command. So /run/user/UID comes before any /tmp path, and every candidate directory and
// socket is checked with lstat (ours, not a symlink, the directory 0700) before it is used; the
// connection then checks the listener's uid itself (server-check.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clientRuntimeBases } from '../runtime-paths';

export const SOCKET_NAME = 'relay.sock';

export interface LocalSocket {
  path: string | null; // the socket to use; null when no candidate is ours
  passedOver: string[]; // candidates that exist but were not ours, each with why
}

// The directories a daemon of ours may keep its socket in, most preferred first (runtime-paths.ts:
// PTY_RELAY_RUNTIME_DIR, $XDG_RUNTIME_DIR/pty-relay, /run/user/UID/pty-relay, the home fallback,
// and /tmp/pty-relay-UID last: the one name another user can take first).
export function socketDirs(env: NodeJS.ProcessEnv): string[] {
  return clientRuntimeBases(env);
}

// Why `file` in `dir` is not a socket of ours to use; null when it is. ENOENT: 'absent'.
export function distrust(dir: string, file: string, uid: number): string | null {
  let d: fs.Stats;
  let s: fs.Stats;
  try {
    d = fs.lstatSync(dir);
    s = fs.lstatSync(file);
  } catch {
    return 'absent';
  }
  if (!d.isDirectory()) return `${dir} is not a directory${d.isSymbolicLink() ? ' (a symlink)' : ''}`;
  if (d.uid !== uid) return `${dir} belongs to uid ${d.uid}, not to you (uid ${uid})`;
  if ((d.mode & 0o077) !== 0) return `${dir} has mode 0${(d.mode & 0o777).toString(8)}, not 0700`;
  if (!s.isSocket()) return `${file} is not a socket${s.isSymbolicLink() ? ' (a symlink)' : ''}`;
  if (s.uid !== uid) return `${file} belongs to uid ${s.uid}, not to you (uid ${uid})`;
  return null;
}

// The first candidate socket that is ours, and why existing ones before it were passed over.
export function findLocalSocket(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): LocalSocket {
  const passedOver: string[] = [];
  if (uid === undefined) return { path: null, passedOver };
  for (const dir of socketDirs(env)) {
    const file = path.join(dir, SOCKET_NAME);
    const why = distrust(dir, file, uid);
    if (why === null) return { path: file, passedOver };
    if (why !== 'absent') passedOver.push(`${file}: ${why}`);
  }
  return { path: null, passedOver };
}
