// Which mechanism enforces each resource cap of a profile on this host, the strongest first: a
// cgroup (v2 delegated subtree, else v1 where the daemon may write), else a resource limit set by
// prlimit inside the sandbox where one applies, else nothing. A profile whose caps are not all
// fully enforced is refused unless it says "unenforced": "allow".
import type { CapName, SandboxCap } from '../../protocol/sandbox-info';
import { describeCap } from '../../protocol/sandbox-info';
import { cgroupFor, describeCgroups } from './cgroup';
import type { SandboxHost } from './host';
import type { Profile } from './profile';

export interface CapPlan extends SandboxCap {
  mech: 'cgroup' | 'rlimit' | null;
}

export interface CapsPlan {
  kind: 'v1' | 'v2' | null; // the cgroup version the cgroup caps use
  caps: CapPlan[];
  rlimitArgs: string[]; // prlimit's options, empty when no cap uses an rlimit
}

const MIB = 1024 * 1024;

// Plans the caps `p` asks for on `host`.
export function planCaps(p: Profile, host: SandboxHost): CapsPlan {
  const asked: CapName[] = [];
  if (p.memoryBytes !== null) asked.push('memory');
  if (p.cpu !== null) asked.push('cpu');
  if (p.pids !== null) asked.push('pids');
  // One cgroup version per session: v2 when it offers any asked controller, else v1.
  const kind = asked.some((c) => cgroupFor(host.cgroups, c) === 'v2') ? 'v2' : asked.some((c) => cgroupFor(host.cgroups, c) === 'v1') ? 'v1' : null;
  const caps: CapPlan[] = [];
  const rlimitArgs: string[] = [];
  for (const cap of asked) {
    const limit = cap === 'memory' ? `${Math.round((p.memoryBytes as number) / MIB)} MiB` : cap === 'cpu' ? `${p.cpu} CPU` : String(p.pids);
    if (kind !== null && cgroupFor(host.cgroups, cap) === kind) {
      caps.push({ cap, limit, by: `cgroup ${kind}`, mech: 'cgroup' });
    } else if (cap === 'memory' && host.prlimit !== null) {
      // RLIMIT_DATA (private writable memory: heap and anonymous maps) stops one process's hog;
      // address space (RLIMIT_AS) would also count mapped files and reservations, breaking programs.
      rlimitArgs.push(`--data=${p.memoryBytes}:${p.memoryBytes}`);
      caps.push({ cap, limit, by: 'rlimit DATA', partial: "per process, not the session's total", mech: 'rlimit' });
    } else if (cap === 'pids' && host.prlimit !== null && !host.root) {
      // Not root: bwrap makes the sandbox a user namespace of its own, and the kernel counts
      // RLIMIT_NPROC per user per namespace, so this caps the session's processes alone.
      rlimitArgs.push(`--nproc=${p.pids}:${p.pids}`);
      caps.push({ cap, limit, by: 'rlimit NPROC in its own user namespace', mech: 'rlimit' });
    } else {
      caps.push({ cap, limit, by: null, mech: null });
    }
  }
  return { kind, caps, rlimitArgs };
}

// Why `p` cannot run here as it asks, or null when it can.
export function capsRefusal(p: Profile, plan: CapsPlan, host: SandboxHost): string | null {
  const weak = plan.caps.filter((c) => c.by === null || c.partial !== undefined);
  if (weak.length === 0 || p.unenforced === 'allow') return null;
  const who = host.root ? 'root' : `uid ${process.geteuid?.() ?? '?'}`;
  const why = `here: ${describeCgroups(host.cgroups)}`;
  return (
    `sandbox profile "${p.name}" asks for caps this host cannot fully enforce for the daemon (${who}): ${weak.map(describeCap).join(', ')}; ${why}. ` +
    'Run the daemon under systemd with Delegate=yes (README "Sandboxed sessions"), or set "unenforced": "allow" in the profile to run with the caps as they are'
  );
}
