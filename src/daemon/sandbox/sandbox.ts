// Sandboxed sessions (this folder): a session made with a sandbox profile runs its program inside
// bubblewrap (bwrap.ts builds the arguments from the profile, profile.ts), in cgroups or under
// rlimits that enforce the profile's caps (caps.ts, cgroup.ts), and reports in words when a cap
// was hit (the counters of its cgroup, the kernel log for the names of what the OOM killer ended).
// The sandbox wraps the program's argv, so it composes with whatever starts that argv.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayError } from '../../errors';
import type { SandboxSummary } from '../../protocol/sandbox-info';
import { bwrapArgv } from './bwrap';
import { capsRefusal, planCaps, type CapPlan } from './caps';
import { cgroupBusy, cgroupCounters, describeCgroups, enterArgv, makeSessionCgroup, removeDaemonCgroups, removeSessionCgroup, type SessionCgroup } from './cgroup';
import { sandboxHost } from './host';
import { oomVictims } from './kmsg';
import { expandPath, type Profile, type SandboxConfig } from './profile';
import { blockedOnTheWay, giveDir, makeDirFor, outermost, type Owner } from './reach';

export type { SandboxConfig } from './profile';

// A sandbox as carried across an upgrade: plain data.
export interface SandboxState {
  profile: Profile;
  bwrap: string;
  prlimit: string | null;
  home: string;
  project: string;
  write: string[];
  sessionDir: string;
  // Absent in a state from an earlier release: the whole session directory bound, run as the daemon's user.
  shellDir?: string; // the session's shell files, the one part of the session directory bound inside
  owner?: Owner | null; // a root daemon's sandbox: the user its shell runs as (null: the daemon's)
  setpriv?: string | null;
  hide?: string[]; // directories made empty inside
  caps: CapPlan[];
  rlimitArgs: string[];
  cgroup: SessionCgroup | null;
  seen: { oomKills: number; forkRefusals: number; kmsgSeq: number; tmpFull?: boolean; homeFull?: boolean };
}

// The subdirectory of the session's directory that the sandbox sees (its shell's rc, job script and
// ack FIFO); the holder's socket and the journal stay beside it, out of the sandbox's reach.
export const SHELL_DIR = 'sh';

// A session cgroup still holding processes when the session ends (a SIGKILL'd sandbox takes a
// moment to be reaped) is tried again this often, this many times.
const REMOVE_RETRY_MS = 500;
const REMOVE_TRIES = 20;
const MIB = 1024 * 1024;

export class SessionSandbox {
  private constructor(private readonly s: SandboxState) {}

  // Makes the sandbox of session `session` (private directory `sessionDir`) from profile `name`
  // (null: the configured default), with the directories in `hide` (the daemon's runtime directory,
  // its $XDG_RUNTIME_DIR) made empty inside. Throws PR_ERR_SANDBOX saying why it cannot be made.
  static create(config: SandboxConfig, name: string | null, session: string, sessionDir: string, hide: string[] = []): SessionSandbox {
    const profile = config.profiles.get(name ?? config.defaultProfile);
    if (profile === undefined) throw new RelayError('PR_ERR_SANDBOX', `no sandbox profile "${name}" (configured: ${[...config.profiles.keys()].join(', ')})`);
    const host = sandboxHost();
    if (host.bwrap === null || host.bwrapError !== null) throw new RelayError('PR_ERR_SANDBOX', `cannot sandbox session "${session}": ${host.bwrapError}`);
    const plan = planCaps(profile, host);
    const refusal = capsRefusal(profile, plan, host);
    if (refusal !== null) throw new RelayError('PR_ERR_SANDBOX', refusal);
    // A root daemon's sandbox runs its shell as the profile's user, never as root.
    const owner: Owner | null = host.root ? { uid: profile.uid, gid: profile.gid } : null;
    if (owner !== null && host.setpriv === null) throw new RelayError('PR_ERR_SANDBOX', `cannot sandbox session "${session}": setpriv (util-linux) is not installed, and a root daemon's sandbox needs it to run the shell as uid ${owner.uid}`);
    const home = os.homedir();
    const project = expandPath(profile.project, session, home);
    const write = profile.write.map((d) => expandPath(d, session, home));
    const shellDir = path.join(sessionDir, SHELL_DIR);
    try {
      makeDirFor(project, owner); // one that exists already is the profile's own choice, kept as it is
      if (!makeDirFor(shellDir, owner) && owner !== null) giveDir(shellDir, owner);
    } catch (err) {
      throw new RelayError('PR_ERR_SANDBOX', `cannot make the project directory ${project} of sandbox profile "${profile.name}": ${(err as Error).message}`, { cause: err });
    }
    const missing = write.find((d) => !isDir(d));
    if (missing !== undefined) throw new RelayError('PR_ERR_SANDBOX', `sandbox profile "${profile.name}" lets the session write ${missing}, which is not a directory`);
    const covered = ['/tmp', ...(profile.home === 'hidden' ? [home] : [])];
    const asked = hide.filter((d) => isDir(d) && !covered.some((c) => d === c || d.startsWith(`${c}/`)));
    const hidden = outermost([...asked, ...(owner === null ? [] : blockedOnTheWay([project, ...write, shellDir], owner, [...covered, ...asked]))]);
    let cgroup: SessionCgroup | null = null;
    const cgCaps = plan.caps.filter((c) => c.mech === 'cgroup').map((c) => c.cap);
    if (plan.kind !== null && cgCaps.length > 0) {
      try {
        const limits = { memoryBytes: profile.memoryBytes ?? undefined, cpu: profile.cpu ?? undefined, pids: profile.pids ?? undefined };
        cgroup = makeSessionCgroup(host.cgroups, plan.kind, cgCaps, limits, session);
      } catch (err) {
        throw new RelayError('PR_ERR_SANDBOX', `cannot make the cgroup of sandboxed session "${session}": ${(err as Error).message}`, { cause: err });
      }
    }
    const seen = { ...(cgroup === null ? { oomKills: 0, forkRefusals: 0 } : cgroupCounters(cgroup)), kmsgSeq: -1 };
    return new SessionSandbox({ profile, bwrap: host.bwrap, prlimit: host.prlimit, setpriv: host.setpriv, home, project, write, sessionDir, shellDir, owner, hide: hidden, caps: plan.caps, rlimitArgs: plan.rlimitArgs, cgroup, seen });
  }

  // A sandbox handed over by an earlier daemon process.
  static restore(state: SandboxState): SessionSandbox {
    return new SessionSandbox(state);
  }

  state(): SandboxState {
    return this.s;
  }

  get profileName(): string {
    return this.s.profile.name;
  }

  // The profile's idle timeout; 0: the daemon's.
  get idleTimeoutMs(): number {
    return this.s.profile.idleTimeoutMs;
  }

  // Where the session's program starts: the project directory.
  get cwd(): string {
    return this.s.project;
  }

  // Where the shell's own files go (its rc, the job script, the ack FIFO): bound inside.
  get shellDir(): string {
    return this.s.shellDir ?? this.s.sessionDir;
  }

  // Who the files the daemon makes there must belong to (null: the daemon's user).
  get owner(): Owner | null {
    return this.s.owner ?? null;
  }

  // The command line that runs `argv` in this sandbox: into the cgroup first, then bwrap, then
  // prlimit (when a cap is an rlimit), then the program.
  wrap(argv: string[]): string[] {
    const s = this.s;
    const rlimits = s.rlimitArgs.length > 0 && s.prlimit !== null ? { prlimit: s.prlimit, args: s.rlimitArgs } : null;
    const drop = s.owner == null || s.setpriv == null ? null : { setpriv: s.setpriv, ...s.owner };
    const inner = bwrapArgv({ bwrap: s.bwrap, profile: s.profile, home: s.home, project: s.project, write: s.write, shellDir: this.shellDir, hide: s.hide ?? [], drop, rlimits }, argv);
    return s.cgroup === null ? inner : enterArgv(s.cgroup, inner);
  }

  // What `ls`, `#!status` and the web page show.
  summary(): SandboxSummary {
    const owner = this.owner;
    return { profile: this.s.profile.name, network: this.s.profile.network, ...(owner === null ? {} : { uid: owner.uid }), caps: this.s.caps.map(({ cap, limit, by, partial }) => ({ cap, limit, by, ...(partial === undefined ? {} : { partial }) })) };
  }

  // The caps hit since the last call, in words ("the memory cap (512 MiB, cgroup v1) killed python3
  // (pid 1234)", "the private /tmp (64 MiB) is full: …"); empty when none was. The rlimit caps count
  // nothing, so their hits are not said. `shellPid`: the sandbox's shell, whose /tmp is looked at.
  hits(shellPid: number | null): string[] {
    const { cgroup, seen, caps } = this.s;
    const out: string[] = [];
    // Each tmpfs is said once each time it fills up; one that cannot be looked at (the shell gone)
    // says nothing.
    const tmpfs: { dir: string; what: string; key: 'tmpFull' | 'homeFull' }[] = [{ dir: '/tmp', what: 'the private /tmp', key: 'tmpFull' }];
    if (this.s.profile.home === 'hidden' && this.s.home !== '/' && this.s.home !== '') tmpfs.push({ dir: this.s.home, what: 'the hidden $HOME', key: 'homeFull' as const });
    for (const { dir, what, key } of tmpfs) {
      const full = shellPid === null ? null : tmpfsFull(shellPid, dir);
      if (full === null || full === (seen[key] ?? false)) continue;
      if (full) out.push(`${what} (${inMiB(this.s.profile.tmpBytes)}, the profile's tmpSize) is full: writing there fails with "No space left on device"; remove what is not needed`);
      seen[key] = full;
    }
    if (cgroup === null) return out;
    const now = cgroupCounters(cgroup);
    const cap = (name: 'memory' | 'pids'): string => {
      const c = caps.find((x) => x.cap === name);
      return c === undefined ? '' : ` (${c.limit}, ${c.by ?? 'not enforced'})`;
    };
    const killed = now.oomKills - seen.oomKills;
    if (killed > 0 && cgroup.memcg !== null) {
      const victims = oomVictims(cgroup.memcg, seen.kmsgSeq);
      const named = victims === null ? [] : victims.slice(-killed);
      if (victims !== null && victims.length > 0) seen.kmsgSeq = (victims[victims.length - 1] as { seq: number }).seq;
      const who = named.length > 0 ? named.map((v) => `${v.name} (pid ${v.pid})`).join(', ') : `${killed} process${killed === 1 ? '' : 'es'} (the kernel log that names them is not readable)`;
      out.push(`the memory cap${cap('memory')} killed ${who}`);
    }
    const refused = now.forkRefusals - seen.forkRefusals;
    if (refused > 0) out.push(`the process cap${cap('pids')} refused ${refused} fork${refused === 1 ? '' : 's'}`);
    seen.oomKills = now.oomKills;
    seen.forkRefusals = now.forkRefusals;
    return out;
  }

  // Removes the session's cgroup now, if its processes are gone; false while some remain.
  removeNow(): boolean {
    const cg = this.s.cgroup;
    return cg === null || (!cgroupBusy(cg) && removeSessionCgroup(cg));
  }

  // Removes the session's cgroup once its processes are gone (retrying for a while).
  dispose(): void {
    const cg = this.s.cgroup;
    if (cg === null) return;
    let tries = 0;
    const attempt = (): void => {
      if (!cgroupBusy(cg) && removeSessionCgroup(cg)) return;
      if (++tries < REMOVE_TRIES) setTimeout(attempt, REMOVE_RETRY_MS).unref();
    };
    attempt();
  }
}

// Whether the directory `dir` that process `pid` sees (a sandbox's tmpfs) has no free block left;
// null when it cannot be looked at.
function tmpfsFull(pid: number, dir: string): boolean | null {
  try {
    return fs.statfsSync(`/proc/${pid}/root${dir}`).bavail === 0;
  } catch {
    return null;
  }
}

function inMiB(bytes: number): string {
  return `${Number((bytes / MIB).toFixed(1))} MiB`;
}

function isDir(d: string): boolean {
  try {
    return fs.statSync(d).isDirectory();
  } catch {
    return false;
  }
}

// At shutdown: waits (up to `ms`) for the sandboxes' processes to end, then removes their cgroups
// and the daemon's own cgroup parents, so that nothing is left in /sys/fs/cgroup.
export async function removeSandboxes(sandboxes: SessionSandbox[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  let left = sandboxes;
  while ((left = left.filter((s) => !s.removeNow())).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  removeDaemonCgroups(sandboxHost().cgroups);
}

// Which cgroups this host lets the daemon use for sandboxes' caps, in words (logged once).
export function cgroupsInWords(): string {
  return describeCgroups(sandboxHost().cgroups);
}
