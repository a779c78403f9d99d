// Finding the daemon's cgroups and writing a session's limits. This host has cgroup v1 controllers
// only (its v2 hierarchy offers none), so the v2 path cannot run against a real cgroup here: its
// detection is checked on the /proc text of hosts that have it, and its writing on a plain
// directory laid out as a delegated v2 cgroup (the kernel's own checks are not exercised by that).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupCounters, describeCgroups, enterArgv, makeSessionCgroup, parseCgroups, type CgroupLook } from '../../../../src/daemon/sandbox/cgroup';
import { planCaps } from '../../../../src/daemon/sandbox/caps';
import { DEFAULT_PROFILE } from '../../../../src/daemon/sandbox/profile';
import type { SandboxHost } from '../../../../src/daemon/sandbox/host';

// This machine's: v1 controllers, and a v2 hierarchy at /sys/fs/cgroup/unified without any.
const HYBRID_MOUNTS = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const HYBRID_OWN = '8:pids:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n';
// A systemd host (cgroup v2 only), the daemon a user service.
const UNIFIED_MOUNTS = '25 21 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const SERVICE = '/user.slice/user-1000.slice/user@1000.service/app.slice/pty-relay.service';

const look = (controllers: Record<string, string[]>, writable: (f: string) => boolean): CgroupLook => ({ controllers: (d) => controllers[d] ?? [], writable });

describe('parseCgroups and describeCgroups', () => {
  it('this host as root: v2 not delegated (no controllers), v1 used for every cap', () => {
    const host = parseCgroups(HYBRID_MOUNTS, HYBRID_OWN, look({}, () => true));
    expect(host.v2?.controllers.size).toBe(0);
    expect([...host.v1.entries()]).toEqual([
      ['pids', { dir: '/sys/fs/cgroup/pids', mount: '/sys/fs/cgroup/pids' }],
      ['memory', { dir: '/sys/fs/cgroup/memory/process_api/abc', mount: '/sys/fs/cgroup/memory' }],
      ['cpu', { dir: '/sys/fs/cgroup/cpu', mount: '/sys/fs/cgroup/cpu' }],
    ]);
    expect(describeCgroups(host)).toBe('cgroup v2 not delegated (/sys/fs/cgroup/unified offers no controllers): using v1 for memory, cpu, pids');
  });

  it('this host as an ordinary user: nothing to write', () => {
    const host = parseCgroups(HYBRID_MOUNTS, HYBRID_OWN, look({}, () => false));
    expect(host.v2).toBeNull();
    expect(host.v1.size).toBe(0);
    expect(describeCgroups(host)).toBe('cgroup v2 not delegated (/sys/fs/cgroup/unified is not ours to write): no cgroup v1 hierarchy we may write either');
  });

  it('a systemd user service with Delegate=yes: v2 for every cap', () => {
    const dir = `/sys/fs/cgroup${SERVICE}`;
    const host = parseCgroups(UNIFIED_MOUNTS, `0::${SERVICE}\n`, look({ [dir]: ['cpu', 'memory', 'pids'] }, (f) => f.startsWith(dir)));
    expect(host.v2).toEqual({ dir, mount: '/sys/fs/cgroup', controllers: new Set(['cpu', 'memory', 'pids']) });
    expect(describeCgroups(host)).toBe(`cgroup v2 delegated (${dir}: cpu memory pids): using v2 for memory, cpu, pids`);
    // A daemon that moved itself into its leaf (an earlier one of this service) finds the same cgroup.
    expect(parseCgroups(UNIFIED_MOUNTS, `0::${SERVICE}/pty-relay-daemon\n`, look({ [dir]: ['memory'] }, () => true)).v2?.dir).toBe(dir);
  });

  it('a service without delegation, or with some controllers only', () => {
    const dir = `/sys/fs/cgroup${SERVICE}`;
    const none = parseCgroups(UNIFIED_MOUNTS, `0::${SERVICE}\n`, look({ [dir]: ['memory', 'pids'] }, () => false));
    expect(describeCgroups(none)).toBe(`cgroup v2 not delegated (${dir} is not ours to write): no cgroup v1 hierarchy we may write either`);
    const some = parseCgroups(UNIFIED_MOUNTS, `0::${SERVICE}\n`, look({ [dir]: ['memory', 'pids'] }, () => true));
    expect(describeCgroups(some)).toBe(`cgroup v2 delegated (${dir}: memory pids): using v2 for memory, pids; no cgroup for cpu`);
    // The caps follow it: the CPU cap has no cgroup and no rlimit, so nothing enforces it.
    const sandboxHost: SandboxHost = { bwrap: '/usr/bin/bwrap', bwrapError: null, prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv', cgroups: some, root: false };
    const plan = planCaps(DEFAULT_PROFILE, sandboxHost);
    expect(plan.kind).toBe('v2');
    expect(plan.caps.map((c) => [c.cap, c.by])).toEqual([['memory', 'cgroup v2'], ['cpu', null], ['pids', 'cgroup v2']]);
  });
});

describe('makeSessionCgroup (v2), on a directory laid out as a delegated cgroup', () => {
  it('moves the daemon into a leaf, hands the controllers down, and writes the limits', () => {
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-cg2-'));
    try {
      const dir = path.join(mount, 'svc');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'cgroup.procs'), `${process.pid}\n`);
      const host = { v2: { dir, mount, controllers: new Set(['memory', 'cpu', 'pids']) }, v1: new Map() };
      const cg = makeSessionCgroup(host, 'v2', ['memory', 'cpu', 'pids'], { memoryBytes: 512 * 1024 * 1024, cpu: 0.5, pids: 100 }, 'web');
      expect(fs.readFileSync(path.join(dir, 'pty-relay-daemon', 'cgroup.procs'), 'utf8')).toBe(String(process.pid));
      expect(fs.readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu +pids');
      const leaf = cg.dirs.memory as string;
      expect(path.dirname(leaf)).toBe(dir);
      expect(cg.dirs.cpu).toBe(leaf);
      expect(cg.memcg).toBe(`/svc/${path.basename(leaf)}`);
      expect(fs.readFileSync(path.join(leaf, 'memory.max'), 'utf8')).toBe('536870912');
      expect(fs.readFileSync(path.join(leaf, 'cpu.max'), 'utf8')).toBe('50000 100000');
      expect(fs.readFileSync(path.join(leaf, 'pids.max'), 'utf8')).toBe('100');
      expect(enterArgv(cg, ['bash']).slice(-3)).toEqual([path.join(leaf, 'cgroup.procs'), '--', 'bash']);
      // The counters of cap hits, as the kernel writes them.
      fs.writeFileSync(path.join(leaf, 'memory.events'), 'low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\n');
      fs.writeFileSync(path.join(leaf, 'pids.events'), 'max 5\n');
      expect(cgroupCounters(cg)).toEqual({ oomKills: 2, forkRefusals: 5 });
    } finally {
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });
});
