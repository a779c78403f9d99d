// Builds of other commits for same-run comparisons (section "versus"): a commit's tree taken with
// `git archive`, given this checkout's node_modules, and built by its own Makefile (`make build`:
// the JS bundles and the native parts), so that each build is what that commit's `make build` makes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tmp } from './context';

export interface Build {
  label: string; // what the tables call it: the revision as given and its short hash
  commit: string; // the full hash, or 'working tree'
  bin: string[]; // the command that runs it (`node TREE/bin/pty-relay`)
}

function git(args: string[]): string {
  const r = spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

// This checkout as `make bench` built it (dist/main.js through bin/pty-relay).
export function workingTree(): Build {
  const head = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', 'src']) !== '';
  return { label: `working tree (${head}${dirty ? ', with changes' : ''})`, commit: 'working tree', bin: [process.execPath, path.join(ROOT, 'bin/pty-relay')] };
}

// Builds revision `rev` in a directory of the bench's own; throws with make's last words when the
// build fails. The native parts are copied from this checkout when their sources are the same
// (node-gyp then has nothing to do), else built.
export function buildRevision(rev: string): Build {
  const commit = git(['rev-parse', '--verify', `${rev}^{commit}`]);
  const short = commit.slice(0, 7);
  const dir = path.join(tmp, `tree-${short}`);
  if (!fs.existsSync(path.join(dir, 'dist/main.js'))) {
    fs.mkdirSync(dir, { recursive: true });
    const tar = spawnSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', ROOT, commit, dir], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`bench: cannot take ${rev} from the history (a shallow clone?): ${tar.stderr}`);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const sameNative = spawnSync('git', ['-C', ROOT, 'diff', '--quiet', commit, '--', 'src/native'], { stdio: 'ignore' }).status === 0;
    if (sameNative && fs.existsSync(path.join(ROOT, 'dist/native'))) fs.cpSync(path.join(ROOT, 'dist/native'), path.join(dir, 'dist/native'), { recursive: true });
    // -o: never reinstall node_modules, which is this checkout's (a symlink).
    const make = spawnSync('make', ['-C', dir, '-o', 'node_modules/.installed', 'build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (make.status !== 0) throw new Error(`bench: make build of ${rev} failed: ${`${make.stdout}${make.stderr}`.slice(-1500)}`);
  }
  return { label: `${rev} (${short})`, commit, bin: [process.execPath, path.join(dir, 'bin/pty-relay')] };
}
