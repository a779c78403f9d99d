// Control groups for sandboxed sessions: finding where the daemon may make one (a delegated cgroup v2
// subtree, or cgroup v1 hierarchies it can write, which here means root), making one per session
// with its limits, the command that puts a program into it before it runs, its counters of cap hits,
// and removing it. The only module that touches /sys/fs/cgroup.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CapName } from '../../protocol/sandbox-info';

// The cgroup controller behind each cap (the same name in v1 and v2).
const CONTROLLER: Record<CapName, string> = { memory: 'memory', cpu: 'cpu', pids: 'pids' };
// The CPU cap's accounting period: 100 ms is the kernel's default, short enough that a capped loop
// is spread evenly and long enough to cost nothing.
export const CPU_PERIOD_US = 100_000;
// The subtree the daemon itself moves into under cgroup v2, since a cgroup that hands controllers to
// its children may hold no processes of its own.
const V2_DAEMON_LEAF = 'pty-relay-daemon';

export interface CgroupHost {
  v2: { dir: string; mount: string; controllers: Set<string> } | null; // the daemon's own cgroup, when it may write it
  v1: Map<string, { dir: string; mount: string }>; // controller → the daemon's cgroup in it
  v2Seen?: { dir: string; controllers: string[]; writable: boolean }; // the v2 cgroup found, usable or not (for the words)
}

// How the daemon's cgroup directories are looked at: the host's files, or a test's table.
export interface CgroupLook {
  controllers(dir: string): string[]; // cgroup.controllers of a v2 directory
  writable(file: string): boolean;
}

const HOST_LOOK: CgroupLook = {
  controllers: (dir) => read(path.join(dir, 'cgroup.controllers')).split(/\s+/).filter((c) => c !== ''),
  writable,
};

// The caps limits a session cgroup is made with.
export interface CgroupLimits {
  memoryBytes?: number;
  cpu?: number;
  pids?: number;
}

// A session's cgroup(s), as carried across an upgrade.
export interface SessionCgroup {
  kind: 'v1' | 'v2';
  dirs: Partial<Record<CapName, string>>; // the directory enforcing each cap
  memcg: string | null; // the memory cgroup's path as the kernel log names it
}

// Where this process may make cgroups. Reads /proc/self/mountinfo and /proc/self/cgroup.
export function detectCgroups(): CgroupHost {
  try {
    return parseCgroups(fs.readFileSync('/proc/self/mountinfo', 'utf8'), fs.readFileSync('/proc/self/cgroup', 'utf8'), HOST_LOOK);
  } catch {
    return { v2: null, v1: new Map() };
  }
}

// Where a process whose /proc/self/mountinfo and /proc/self/cgroup read `mountinfo` and `own` may
// make cgroups: its v2 cgroup when it may write it and its subtree_control (delegated), and each
// v1 hierarchy of a cap's controller whose cgroup of its it may write.
export function parseCgroups(mountinfo: string, own: string, look: CgroupLook): CgroupHost {
  const host: CgroupHost = { v2: null, v1: new Map() };
  const mounts = mountinfo.split('\n').map((l) => {
    const [pre, post] = l.split(' - ');
    const f = (pre ?? '').split(' ');
    const g = (post ?? '').split(' ');
    return { point: f[4] ?? '', fstype: g[0] ?? '', options: (g[2] ?? '').split(',') };
  });
  for (const line of own.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m === null) continue;
    const [, id, list, rel] = m as unknown as [string, string, string, string];
    if (id === '0' && list === '') {
      const mount = mounts.find((x) => x.fstype === 'cgroup2');
      if (mount === undefined) continue;
      let dir = under(mount.point, rel);
      if (path.basename(dir) === V2_DAEMON_LEAF) dir = path.dirname(dir); // moved there by an earlier daemon
      const controllers = look.controllers(dir);
      const canWrite = look.writable(dir) && look.writable(path.join(dir, 'cgroup.subtree_control'));
      host.v2Seen = { dir, controllers, writable: canWrite };
      if (canWrite) host.v2 = { dir, mount: mount.point, controllers: new Set(controllers) };
      continue;
    }
    for (const c of list.split(',')) {
      const mount = mounts.find((x) => x.fstype === 'cgroup' && x.options.includes(c));
      if (mount === undefined || !Object.values(CONTROLLER).includes(c)) continue;
      const dir = under(mount.point, rel);
      if (look.writable(dir)) host.v1.set(c, { dir, mount: mount.point });
    }
  }
  return host;
}

// What the daemon may do with cgroups, in words: "cgroup v2 not delegated (/sys/fs/cgroup/unified
// offers no controllers): using v1 for memory, cpu, pids".
export function describeCgroups(host: CgroupHost): string {
  const seen = host.v2Seen;
  const v2 =
    seen === undefined
      ? 'no cgroup v2 hierarchy'
      : !seen.writable
        ? `cgroup v2 not delegated (${seen.dir} is not ours to write)`
        : seen.controllers.length === 0
          ? `cgroup v2 not delegated (${seen.dir} offers no controllers)`
          : `cgroup v2 delegated (${seen.dir}: ${seen.controllers.join(' ')})`;
  const caps = Object.keys(CONTROLLER) as CapName[];
  const by = (kind: 'v1' | 'v2'): CapName[] => caps.filter((c) => cgroupFor(host, c) === kind);
  const uses = [by('v2').length > 0 ? `v2 for ${by('v2').join(', ')}` : '', by('v1').length > 0 ? `v1 for ${by('v1').join(', ')}` : ''].filter((x) => x !== '');
  const none = caps.filter((c) => cgroupFor(host, c) === null);
  return `${v2}: ${uses.length > 0 ? `using ${uses.join('; ')}` : 'no cgroup v1 hierarchy we may write either'}${uses.length > 0 && none.length > 0 ? `; no cgroup for ${none.join(', ')}` : ''}`;
}

// What enforces `cap` on this host, if a cgroup can: v2 first, then v1.
export function cgroupFor(host: CgroupHost, cap: CapName): 'v2' | 'v1' | null {
  if (host.v2?.controllers.has(CONTROLLER[cap]) === true) return 'v2';
  return host.v1.has(CONTROLLER[cap]) ? 'v1' : null;
}

let v2Prepared = false;
let counter = 0;

// Makes the cgroup(s) for one session with `limits`, of `kind`; throws with the file at fault.
export function makeSessionCgroup(host: CgroupHost, kind: 'v1' | 'v2', caps: CapName[], limits: CgroupLimits, session: string): SessionCgroup {
  const leaf = `s${process.pid}-${++counter}-${session}`;
  const dirs: Partial<Record<CapName, string>> = {};
  let memcg: string | null = null;
  if (kind === 'v2') {
    const v2 = host.v2 as NonNullable<CgroupHost['v2']>;
    prepareV2(v2.dir, caps);
    const dir = path.join(v2.dir, `pty-relay-${leaf}`);
    fs.mkdirSync(dir);
    for (const cap of caps) dirs[cap] = dir;
    memcg = `/${path.relative(v2.mount, dir)}`;
  } else {
    for (const cap of caps) {
      const h = host.v1.get(CONTROLLER[cap]) as { dir: string; mount: string };
      const parent = path.join(h.dir, `pty-relay-${process.pid}`);
      fs.mkdirSync(parent, { recursive: true });
      const dir = path.join(parent, leaf);
      fs.mkdirSync(dir, { recursive: true }); // cpu and cpuacct may share one hierarchy
      dirs[cap] = dir;
      if (cap === 'memory') memcg = `/${path.relative(h.mount, dir)}`;
    }
  }
  const cg: SessionCgroup = { kind, dirs, memcg };
  try {
    writeLimits(cg, limits);
  } catch (err) {
    removeSessionCgroup(cg);
    throw err;
  }
  return cg;
}

function writeLimits(cg: SessionCgroup, l: CgroupLimits): void {
  const { memory, cpu, pids } = cg.dirs;
  const v2 = cg.kind === 'v2';
  if (memory !== undefined && l.memoryBytes !== undefined) {
    fs.writeFileSync(path.join(memory, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(l.memoryBytes));
    // Swap would let a hog live on past the cap: count it in (where the kernel accounts swap).
    const swap = path.join(memory, v2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes');
    if (fs.existsSync(swap)) fs.writeFileSync(swap, v2 ? '0' : String(l.memoryBytes));
  }
  if (pids !== undefined && l.pids !== undefined) fs.writeFileSync(path.join(pids, 'pids.max'), String(l.pids));
  if (cpu !== undefined && l.cpu !== undefined) {
    const quota = Math.max(1000, Math.round(l.cpu * CPU_PERIOD_US));
    if (v2) fs.writeFileSync(path.join(cpu, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
    else {
      fs.writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      fs.writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), String(quota));
    }
  }
}

// Under v2 the daemon's cgroup hands its controllers down, so its processes move into a leaf first.
function prepareV2(dir: string, caps: CapName[]): void {
  if (v2Prepared) return;
  const leaf = path.join(dir, V2_DAEMON_LEAF);
  fs.mkdirSync(leaf, { recursive: true });
  for (const pid of read(path.join(dir, 'cgroup.procs')).split('\n').filter((p) => p !== '')) {
    try {
      fs.writeFileSync(path.join(leaf, 'cgroup.procs'), pid);
    } catch {
      // gone meanwhile
    }
  }
  fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), caps.map((c) => `+${CONTROLLER[c]}`).join(' '));
  v2Prepared = true;
}

// The files a program writes its pid to, to enter the session's cgroup(s).
export function procsFiles(cg: SessionCgroup): string[] {
  return [...new Set(Object.values(cg.dirs))].map((d) => path.join(d, 'cgroup.procs'));
}

// The command that moves itself into the cgroup(s) and then runs `argv`: nothing runs outside them.
export function enterArgv(cg: SessionCgroup, argv: string[]): string[] {
  const script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  return ['/bin/sh', '-c', script, 'pty-relay-cgroup', ...procsFiles(cg), '--', ...argv];
}

// How often each cap was hit so far: OOM kills in the memory cgroup, forks the pids cap refused.
export function cgroupCounters(cg: SessionCgroup): { oomKills: number; forkRefusals: number } {
  const { memory, pids } = cg.dirs;
  const oomFile = memory === undefined ? null : path.join(memory, cg.kind === 'v2' ? 'memory.events' : 'memory.oom_control');
  return {
    oomKills: oomFile === null ? 0 : field(read(oomFile), 'oom_kill'),
    forkRefusals: pids === undefined ? 0 : field(read(path.join(pids, 'pids.events')), 'max'),
  };
}

// True while processes are still in the session's cgroup(s).
export function cgroupBusy(cg: SessionCgroup): boolean {
  return procsFiles(cg).some((f) => read(f).trim() !== '');
}

// Removes the session's cgroup(s); false when one still holds processes (try again later). Under
// v1 its parent (pty-relay-PID) goes too once empty: a session adopted after a crash has the dead
// daemon's, which nothing else would remove.
export function removeSessionCgroup(cg: SessionCgroup): boolean {
  let done = true;
  for (const dir of new Set(Object.values(cg.dirs))) {
    try {
      fs.rmdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') done = false;
    }
    if (!done || cg.kind !== 'v1') continue;
    try {
      fs.rmdirSync(path.dirname(dir));
    } catch {
      // other sessions' cgroups are still in it
    }
  }
  return done;
}

// Removes the daemon's own v1 parents (pty-relay-PID), once its sessions' cgroups are gone.
export function removeDaemonCgroups(host: CgroupHost): void {
  for (const h of host.v1.values()) {
    try {
      fs.rmdirSync(path.join(h.dir, `pty-relay-${process.pid}`));
    } catch {
      // absent, or a session cgroup still busy
    }
  }
}

// The cgroup `rel` ("/", "/a/b") under its hierarchy's mount point, with no trailing slash.
function under(mount: string, rel: string): string {
  return rel === '/' ? mount : path.join(mount, rel);
}

function field(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function writable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
