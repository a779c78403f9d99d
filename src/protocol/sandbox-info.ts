// What a sandboxed session tells about its sandbox (`pty-relay ls`, `#!status`, the web page): the
// profile, the network, and for each resource cap its limit and what enforces it. Pure, shared by
// the daemon, the command-line client and the browser, so all three say it in the same words.

export type CapName = 'memory' | 'cpu' | 'pids';

export interface SandboxCap {
  cap: CapName;
  limit: string; // as people read it: "512 MiB", "0.5 CPU", "100"
  by: string | null; // what enforces it ("cgroup v1", "cgroup v2", "rlimit …"); null: nothing does
  partial?: string; // how a weaker mechanism falls short ("per process, not the session's total")
}

export interface SandboxSummary {
  profile: string;
  network: 'none' | 'host';
  uid?: number; // the user its shell runs as, when not the daemon's (a root daemon's sandbox)
  caps: SandboxCap[];
}

const CAP_WORD: Record<CapName, string> = { memory: 'memory', cpu: 'cpu', pids: 'processes' };

// One cap in words: "memory 512 MiB (cgroup v1)", "cpu 0.5 CPU (NOT enforced)".
export function describeCap(c: SandboxCap): string {
  const by = c.by === null ? 'NOT enforced' : c.partial === undefined ? c.by : `${c.by}, ${c.partial}`;
  return `${CAP_WORD[c.cap]} ${c.limit} (${by})`;
}

// The whole sandbox in one line: "profile default, network none, uid 65534; memory 512 MiB (cgroup
// v1), …" (the uid only when it is not the daemon's).
export function describeSandbox(s: SandboxSummary): string {
  const caps = s.caps.length === 0 ? 'no resource caps' : s.caps.map(describeCap).join(', ');
  return `profile ${s.profile}, network ${s.network}${s.uid === undefined ? '' : `, uid ${s.uid}`}; ${caps}`;
}
