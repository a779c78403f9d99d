// Replaces node-pty's lib/utils.js inside the single binary (see sea-plugin.ts). node-pty asks it
// for its native addon; in the binary the addon is an embedded SEA asset, extracted once to a
// private cache directory keyed by its sha256 and loaded from there with process.dlopen.
import * as crypto from 'node:crypto';
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

// The cache directories, most preferred first: $PTY_RELAY_CACHE_DIR, ~/.cache, the runtime dir,
// /tmp. `pty-relay doctor` checks their mounts.
export function cacheBaseDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.PTY_RELAY_CACHE_DIR) dirs.push(env.PTY_RELAY_CACHE_DIR);
  let home = '';
  try {
    home = os.homedir();
  } catch {
    home = '';
  }
  const cache = env.XDG_CACHE_HOME || (home !== '' ? path.join(home, '.cache') : '');
  if (cache !== '') dirs.push(path.join(cache, 'pty-relay'));
  if (env.XDG_RUNTIME_DIR) dirs.push(path.join(env.XDG_RUNTIME_DIR, 'pty-relay-native'));
  dirs.push(path.join(os.tmpdir(), `pty-relay-native-${process.getuid?.() ?? 'user'}`));
  return dirs;
}

// Candidate directories for this addon, most preferred first.
function candidates(hash: string): string[] {
  return cacheBaseDirs().map((d) => path.join(d, `native-${hash.slice(0, 16)}`));
}

// Makes `dir` (and missing parents) private, refusing one that is not ours.
function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) throw new Error(`${dir} is not a directory of ours`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

// Writes the addon unless an identical copy is already there; atomic via rename.
function place(file: string, bytes: Buffer, hash: string): void {
  try {
    if (crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') === hash) return;
  } catch {
    // not there yet
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes, { mode: 0o700 });
  fs.renameSync(tmp, file);
}

export function loadNativeModule(name: string): { dir: string; module: unknown } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sea = require('node:sea') as SeaApi;
  if (!sea.isSea()) throw new Error('pty-relay: the embedded native-addon loader only works inside the single binary');
  const bytes = Buffer.from(sea.getRawAsset(`${name}.node`));
  const hash = crypto.createHash('sha256').update(bytes).digest('hex');
  const failures: string[] = [];
  for (const dir of candidates(hash)) {
    const file = path.join(dir, `${name}.node`);
    try {
      privateDir(dir);
      place(file, bytes, hash);
      const mod = { exports: {} as unknown };
      process.dlopen(mod, file);
      return { dir, module: mod.exports };
    } catch (err) {
      // A read-only or noexec location: try the next one.
      failures.push(`${dir}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    `pty-relay: cannot load the embedded native addon ${name}.node. Tried:\n  ${failures.join('\n  ')}\n` +
      'Set PTY_RELAY_CACHE_DIR to a writable directory on a filesystem that allows executables (not noexec).',
  );
}
