// What a root daemon's sandbox, whose shell runs as the profile's uid and gid, can reach: the
// directories the daemon makes for that user (given to it through a descriptor that never follows a
// symlink), and the directories on the way to a bind that the user could not enter (the sandbox
// hides them behind an empty tmpfs, so that the bind under them is reachable and nothing else is).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileOwner } from '../base/runtime-dir';

// The user and group a sandbox's shell runs as.
export type Owner = FileOwner;

const NO_FOLLOW_DIR = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;

// Makes directory `dir` (its missing parents 0700, the daemon's) and, if this call made it, gives
// it to `o`; one that exists is left as it is. True when it was made here.
export function makeDirFor(dir: string, o: Owner | null): boolean {
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  if (o !== null) giveDir(dir, o);
  return true;
}

// Gives directory `dir` (never a symlink) to `o`, mode 0700.
export function giveDir(dir: string, o: Owner): void {
  const fd = fs.openSync(dir, NO_FOLLOW_DIR);
  try {
    fs.fchownSync(fd, o.uid, o.gid);
    fs.fchmodSync(fd, 0o700);
  } finally {
    fs.closeSync(fd);
  }
}

// Whether `o` (with no supplementary groups) may enter a directory of this owner and mode.
function enters(st: fs.Stats, o: Owner): boolean {
  if (st.uid === o.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === o.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

const under = (p: string, d: string): boolean => p === d || p.startsWith(d === '/' ? '/' : `${d}/`);

// The directories to hide so that `o` can reach every one of `targets`: on each target's way from
// /, the first directory `o` may not enter, unless a tmpfs (`covered`: /tmp, a hidden $HOME…)
// replaces that part of the way already; shallowest first, none inside another.
export function blockedOnTheWay(targets: string[], o: Owner, covered: string[]): string[] {
  const found: string[] = [];
  for (const t of targets) {
    const parts = path.resolve(t).split('/').filter((x) => x !== '');
    for (let i = 0; i < parts.length; i++) {
      const a = `/${parts.slice(0, i).join('/')}`;
      if ([...covered, ...found].some((c) => under(a, c))) break;
      let st: fs.Stats;
      try {
        st = fs.statSync(a);
      } catch {
        break; // bwrap makes what is missing (in a tmpfs above it, or it fails saying so)
      }
      if (!enters(st, o)) {
        found.push(a);
        break;
      }
    }
  }
  return outermost(found);
}

// `dirs` without duplicates and without those inside another, shallowest first.
export function outermost(dirs: string[]): string[] {
  const uniq = [...new Set(dirs.map((d) => path.resolve(d)))].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return uniq.filter((d, i) => !uniq.slice(0, i).some((o) => under(d, o)));
}
