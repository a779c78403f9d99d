// What this host offers sandboxes, looked at once (on the first sandboxed session): bwrap and
// whether it can make a sandbox here (user namespaces may be off), prlimit for resource limits, and
// where the daemon may make cgroups.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectCgroups, type CgroupHost } from './cgroup';

export interface SandboxHost {
  bwrap: string | null;
  bwrapError: string | null; // why bwrap cannot make a sandbox here; null when it can
  prlimit: string | null;
  setpriv: string | null; // util-linux's setpriv: a root daemon's sandbox drops to its profile's uid with it
  cgroups: CgroupHost;
  root: boolean; // root: bwrap makes no user namespace, so RLIMIT_NPROC does not bind
}

// A sandbox that runs `true` says bwrap works; a few ms, paid once.
const PROBE_TIMEOUT_MS = 10_000;

let cached: SandboxHost | null = null;

// The host's sandboxing facilities (looked at on first use, then remembered).
export function sandboxHost(): SandboxHost {
  if (cached !== null) return cached;
  const bwrap = findProgram('bwrap');
  let bwrapError: string | null = bwrap === null ? 'bwrap is not installed (Debian/Ubuntu: apt install bubblewrap)' : null;
  if (bwrap !== null) {
    const r = spawnSync(bwrap, ['--ro-bind', '/', '/', '--unshare-pid', '--unshare-net', '--die-with-parent', '--', '/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' });
    if (r.status !== 0) bwrapError = `bwrap cannot make a sandbox here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()} (are user namespaces disabled? see kernel.unprivileged_userns_clone / user.max_user_namespaces)`;
  }
  cached = { bwrap, bwrapError, prlimit: findProgram('prlimit'), setpriv: findProgram('setpriv'), cgroups: detectCgroups(), root: process.geteuid?.() === 0 };
  return cached;
}

function findProgram(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/bin', '/usr/sbin']) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  return null;
}
