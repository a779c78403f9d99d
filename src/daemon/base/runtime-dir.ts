// The daemon's private directory for rc files and exec scripts: 0700, owned by us, never a symlink.
// Other local users must not read a script (it may hold secrets) or swap one before bash sources it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayError } from '../../errors';

// The per-user base: $XDG_RUNTIME_DIR/pty-relay when set, else /tmp/pty-relay-UID.
export function defaultRuntimeBase(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)) return path.join(xdg, 'pty-relay');
  return path.join(os.tmpdir(), `pty-relay-${process.getuid?.() ?? 'user'}`);
}

// Creates (or checks) `dir` as a private directory; throws PR_ERR_RUNTIME_DIR when it is unsafe.
export function ensurePrivateDir(dir: string): string {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new RelayError('PR_ERR_RUNTIME_DIR', `cannot create runtime directory ${dir}: pass --runtime-dir DIR (a directory of yours)`, { cause: err });
  }
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new RelayError('PR_ERR_RUNTIME_DIR', `${dir} is not a directory (a symlink?): remove it, or pass --runtime-dir DIR`);
  if (uid !== undefined && st.uid !== uid) {
    throw new RelayError('PR_ERR_RUNTIME_DIR', `${dir} belongs to uid ${st.uid}, not to us (uid ${uid}): remove it, or pass --runtime-dir DIR`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  return dir;
}

// Makes a fresh private directory for one daemon instance under the per-user base.
export function makeInstanceDir(base: string): string {
  ensurePrivateDir(base);
  return fs.mkdtempSync(path.join(base, 'd-'));
}

// Writes a file only we can read, refusing to follow or reuse an existing path.
export function writePrivateFile(file: string, data: string | Buffer): void {
  fs.writeFileSync(file, data, { mode: 0o600, flag: 'wx' });
}
