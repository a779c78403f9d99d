// The daemon's private directory for rc files and exec scripts: 0700, owned by us, never a symlink,
// and under directories nobody else can write (or sticky ones, like /tmp). Other local users must
// not read a script (it may hold secrets), swap one before bash sources it, or put their own
// directory (or socket) where ours should be. Where it is by default: src/runtime-paths.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RelayError } from '../../errors';
import { daemonRuntimeBases, locateRuntimeBase } from '../../runtime-paths';

// For clients: where a default daemon's runtime directory is now (runtime-paths.ts).
export function defaultRuntimeBase(env: NodeJS.ProcessEnv = process.env): string {
  return locateRuntimeBase(env);
}

// The daemon's runtime base when no --runtime-dir names one: the first of its choices that is (or
// can be made) private and ours; `fallback` hears why an earlier one was passed over (another
// user made /tmp/pty-relay-UID first, say). Throws the last choice's PR_ERR_RUNTIME_DIR.
export function chooseRuntimeBase(env: NodeJS.ProcessEnv, fallback: (dir: string, why: string, next: string) => void): string {
  const bases = daemonRuntimeBases(env);
  for (let i = 0; ; i++) {
    const dir = bases[i] as string;
    try {
      return ensurePrivateDir(dir);
    } catch (err) {
      const next = bases[i + 1];
      if (next === undefined || !(err instanceof RelayError)) throw err;
      fallback(dir, err.message, next);
    }
  }
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

// Like OpenSSH's safe_path: every directory above `dir` (as written, and with symlinks resolved)
// must belong to root or us, and must not be writable by group or others unless it is sticky;
// a symlink on the way must belong to root or us. Otherwise whoever can write there could rename
// our directory away and put theirs in its place after every check here.
// Before the directory is made, `missingOk` passes over the parts not made yet.
function checkAncestors(dir: string, uid: number, missingOk = false): void {
  const unsafe = (a: string): string | null => {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(a, { throwIfNoEntry: !missingOk });
    } catch (err) {
      throw new RelayError('PR_ERR_RUNTIME_DIR', `cannot check ${a}, above the runtime directory ${dir}: pass --runtime-dir DIR (a directory of yours)`, { cause: err });
    }
    if (st === undefined) return null;
    if (st.uid !== 0 && st.uid !== uid) return `belongs to uid ${st.uid}`;
    if (!st.isSymbolicLink() && (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `is writable by others (mode ${octal(st.mode)}, not sticky)`;
    return null;
  };
  const walk = (start: string): void => {
    for (let a = path.dirname(start); ; a = path.dirname(a)) {
      const why = unsafe(a);
      if (why !== null) {
        throw new RelayError('PR_ERR_RUNTIME_DIR', `runtime directory ${dir} is inside ${a}, which ${why}: another user could replace the runtime directory; pass --runtime-dir DIR under directories only you or root can write`);
      }
      if (a === path.dirname(a)) return;
    }
  };
  walk(path.resolve(dir));
  if (!missingOk) walk(fs.realpathSync(dir));
}

// Creates (or checks) `dir` as a private directory; throws PR_ERR_RUNTIME_DIR when it is unsafe.
export function ensurePrivateDir(dir: string): string {
  const uid = process.getuid?.();
  if (uid !== undefined) checkAncestors(dir, uid, true); // nothing is made in an unsafe place
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new RelayError('PR_ERR_RUNTIME_DIR', `cannot create runtime directory ${dir}: pass --runtime-dir DIR (a directory of yours)`, { cause: err });
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new RelayError('PR_ERR_RUNTIME_DIR', `${dir} is not a directory (a symlink?): remove it, or pass --runtime-dir DIR`);
  if (uid !== undefined && st.uid !== uid) {
    throw new RelayError('PR_ERR_RUNTIME_DIR', `${dir} belongs to uid ${st.uid}, not to us (uid ${uid}): remove it, or pass --runtime-dir DIR`);
  }
  if (uid !== undefined) checkAncestors(dir, uid);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  return dir;
}

// Makes a fresh private directory for one daemon instance under the per-user base.
export function makeInstanceDir(base: string): string {
  ensurePrivateDir(base);
  return fs.mkdtempSync(path.join(base, 'd-'));
}

// Who a file the daemon makes for a sandbox's shell belongs to (a root daemon's sandbox runs as
// another user; sandbox/reach.ts); null: the daemon's user.
export interface FileOwner {
  uid: number;
  gid: number;
}

// Writes a file only we (or `owner`) can read, refusing to follow or reuse an existing path. The
// owner is set through the descriptor: the directory may be the owner's, who could swap the path.
export function writePrivateFile(file: string, data: string | Buffer, owner: FileOwner | null = null): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    if (owner !== null) fs.fchownSync(fd, owner.uid, owner.gid);
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}
