// The single binary loads its native addons from unnamed copies it makes in the first of its
// candidate directories that exists and allows it (native/native-loader.ts); a missing directory,
// a read-only or a noexec mount makes it try the next one. This reads the mount of each candidate
// from /proc/self/mountinfo. Linux only (procfs): a server check, as the single binary is Linux only.
import * as fs from 'node:fs';
import { ok, problem, warning, type Check } from './check';

export interface Mount {
  point: string;
  fstype: string;
  options: string[]; // per-mount options and the filesystem's own, together
}

// Parses /proc/self/mountinfo (proc(5)): mount point in field 5, its options in field 6, then
// optional fields up to "-", the filesystem type, the source and the superblock options.
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash === -1) continue;
    const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    mounts.push({ point: unescape(f[4] as string), fstype: f[dash + 1] as string, options: [...(f[5] as string).split(','), ...(f[dash + 3] ?? '').split(',')] });
  }
  return mounts;
}

// The mount that holds `file` (the longest mount point that is a prefix of it; later wins ties,
// as the later mount hides the earlier one).
export function mountOf(mounts: Mount[], file: string): Mount | null {
  let best: Mount | null = null;
  for (const m of mounts) {
    const inside = m.point === '/' || file === m.point || file.startsWith(`${m.point}/`);
    if (inside && (best === null || m.point.length >= best.point.length)) best = m;
  }
  return best;
}

// Why a directory cannot hold the addon, or null when it can.
export function unusable(mounts: Mount[], dir: string): string | null {
  let existing: string;
  try {
    existing = fs.realpathSync(dir);
    if (!fs.statSync(existing).isDirectory()) return 'not a directory';
  } catch {
    return 'missing';
  }
  const m = mountOf(mounts, existing);
  if (m === null) return null;
  if (m.options.includes('noexec')) return `on a noexec mount (${m.point}, ${m.fstype})`;
  if (m.options.includes('ro')) return `on a read-only mount (${m.point}, ${m.fstype})`;
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch {
    return `not writable (${existing})`;
  }
  return null;
}

// The addon cache check over the loader's candidate directories, most preferred first.
export function addonCacheCheck(dirs: string[], mountinfo = readMountinfo()): Check {
  if (mountinfo === null) return warning('addon-cache', 'cannot read /proc/self/mountinfo to check the cache directories', 'if the binary cannot load its addon, set PTY_RELAY_CACHE_DIR to a writable directory on a mount without noexec');
  const mounts = parseMountinfo(mountinfo);
  const verdicts = dirs.map((d) => ({ dir: d, why: unusable(mounts, d) }));
  const usable = verdicts.find((v) => v.why === null);
  const first = verdicts[0];
  const fix = 'set PTY_RELAY_CACHE_DIR (for the daemon: in its unit) to a writable directory on a mount without noexec';
  if (usable === undefined) return problem('addon-cache', `no directory can hold the binary's native addon: ${verdicts.map((v) => `${v.dir} is ${v.why}`).join('; ')}`, fix);
  if (first !== undefined && first !== usable) return warning('addon-cache', `${first.dir} is ${first.why}; the binary falls back to ${usable.dir}`, fix);
  const m = mountOf(mounts, fs.realpathSync(usable.dir));
  return ok('addon-cache', `the native addon's directory ${usable.dir} can hold executables${m !== null ? ` (${m.point}, ${m.fstype})` : ''}`);
}

function readMountinfo(): string | null {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return null;
  }
}
