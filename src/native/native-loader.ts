// Replaces node-pty's lib/utils.js inside the single binary (see sea-plugin.ts). node-pty asks it
// for its native addon; in the binary the addon is an embedded SEA asset. It is loaded without
// any file another user could name: the bytes go into an unnamed file (O_TMPFILE: an inode with
// no directory entry, mode 0700, ours) and process.dlopen opens that very inode through
// /proc/self/fd/N. Nothing is cached on disk and nothing is left behind: the inode is freed when
// the process exits. (An earlier version kept a sha256-keyed cache under /tmp, where another user
// who made the base directory first could swap the file between the hash check and the dlopen.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// node-pty's own helper, kept as it is.
export function assign(target: Record<string, unknown>, ...sources: Array<Record<string, unknown>>): Record<string, unknown> {
  for (const source of sources) for (const key of Object.keys(source)) target[key] = source[key];
  return target;
}

interface SeaApi {
  isSea(): boolean;
  getRawAsset(key: string): ArrayBuffer;
}

// True inside the single binary.
export function isSea(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:sea') as SeaApi).isSea();
  } catch {
    return false;
  }
}

// Linux's O_TMPFILE is __O_TMPFILE | O_DIRECTORY; __O_TMPFILE is 0o20000000 on every
// architecture Node ships for (x64, arm64, ppc64, s390x), O_DIRECTORY differs (x64 0o200000,
// arm64 0o40000), and Node does not export O_TMPFILE itself.
const O_TMPFILE = 0o20000000 | fs.constants.O_DIRECTORY;

// Where the unnamed copies are made, most preferred first: $PTY_RELAY_CACHE_DIR, the runtime
// dir, the temp dir, ~/.cache, home. Only directories that exist are used (none is created); the
// directory needs no privacy of its own, since nobody can reach an unnamed file through it, but
// its mount must allow executables (not noexec). `pty-relay doctor` checks their mounts.
export function cacheBaseDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  let home = '';
  try {
    home = os.homedir();
  } catch {
    home = '';
  }
  const dirs = [env.PTY_RELAY_CACHE_DIR, env.XDG_RUNTIME_DIR, os.tmpdir(), env.XDG_CACHE_HOME || (home !== '' ? path.join(home, '.cache') : ''), home];
  return [...new Set(dirs.filter((d): d is string => d !== undefined && d !== '' && path.isAbsolute(d)))];
}

// An fd of a fresh file in `dir` that no other user can open or replace: unnamed (O_TMPFILE),
// or, on a filesystem without O_TMPFILE (NFS, older overlayfs), made exclusively (O_EXCL, so
// never an existing file or a symlink's target) with mode 0700 and unlinked at once.
function unnamedFile(dir: string): number {
  const { O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  try {
    return fs.openSync(dir, O_TMPFILE | O_RDWR | O_EXCL, 0o700);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EOPNOTSUPP' && code !== 'EISDIR' && code !== 'EINVAL') throw err;
  }
  const name = path.join(dir, `.pty-relay-${process.pid}-${Math.random().toString(36).slice(2)}.node`);
  const fd = fs.openSync(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o700);
  fs.unlinkSync(name);
  return fd;
}

// Each loaded addon keeps its fd open for the life of the process: glibc's dlopen takes a path it
// has loaded before as the same library, so a reused fd number would hand back the wrong one.
// (libuv opens every fd with O_CLOEXEC: the shells never see them.)
// node-pty asks for its addon twice (lib/index.js and lib/unixTerminal.js): one load serves both.
const loaded = new Map<string, Loaded>();

// `dir` is what node-pty expects (it looks for a macOS-only spawn-helper there); `from` says where
// the addon came from, for the logs.
export interface Loaded {
  dir: string;
  from: string;
  module: unknown;
}

export function loadNativeModule(name: string): Loaded {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sea = require('node:sea') as SeaApi;
  if (!sea.isSea()) throw new Error('pty-relay: the embedded native-addon loader only works inside the single binary');
  const done = loaded.get(name);
  if (done !== undefined) return done;
  const bytes = Buffer.from(sea.getRawAsset(`${name}.node`));
  const failures: string[] = [];
  for (const dir of cacheBaseDirs()) {
    let fd = -1;
    try {
      fd = unnamedFile(dir);
      fs.writeFileSync(fd, bytes);
      const mod = { exports: {} as unknown };
      process.dlopen(mod, `/proc/self/fd/${fd}`);
      const result = { dir, from: `${name}.node (an unnamed copy in ${dir})`, module: mod.exports };
      loaded.set(name, result); // and fd stays open: see above
      return result;
    } catch (err) {
      // A read-only or noexec mount, or no such directory: try the next one.
      if (fd !== -1) fs.closeSync(fd);
      failures.push(`${dir}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    `pty-relay: cannot load the embedded native addon ${name}.node. Tried:\n  ${failures.join('\n  ')}\n` +
      'Set PTY_RELAY_CACHE_DIR to a writable directory on a filesystem that allows executables (not noexec).',
  );
}
