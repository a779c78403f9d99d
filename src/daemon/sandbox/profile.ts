// Sandbox profiles: data, not code. A profile names what a sandboxed session may touch (the
// directories it may write, the network) and the resource caps it runs under; bwrap.ts turns it
// into arguments and caps.ts into cgroup settings or rlimits. Profiles come from the daemon's
// --sandbox-config file, merged field by field over the built-in "default" below.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayError } from '../../errors';

export interface Profile {
  name: string;
  network: 'none' | 'host'; // none: a network namespace of its own with only a loopback nobody listens on
  home: 'hidden' | 'read-only'; // hidden: an empty tmpfs over $HOME
  project: string; // the session's start directory, bound read-write (created 0700 if missing)
  write: string[]; // further directories bound read-write (must exist)
  tmpBytes: number; // the private /tmp's size bound
  memoryBytes: number | null; // null: no cap
  cpu: number | null; // CPUs' worth of time per period (0.5: half of one CPU); null: no cap
  pids: number | null; // processes and threads at once; null: no cap
  idleTimeoutMs: number; // 0: the daemon's --session-idle-timeout applies
  unenforced: 'refuse' | 'allow'; // a cap this host cannot enforce fully: refuse the session, or run and say so
  uid: number; // a root daemon runs the sandbox's shell as this user (never root) …
  gid: number; // … and group, with no supplementary groups; an ordinary daemon's runs as itself
}

export interface SandboxConfig {
  defaultProfile: string;
  profiles: Map<string, Profile>;
  // Directories every sandbox sees empty, filled in by the daemon: its runtime directory (its
  // socket, web token, journals, holders' sockets) and $XDG_RUNTIME_DIR (the user's bus, its
  // service manager), through which a sandbox could ask something outside it to run a command.
  hide?: string[];
}

const MIB = 1024 * 1024;
// Modelled on Claude Pocket Console's sandbox: no network, read-only root, 512 MB, half a CPU,
// 100 processes. /tmp at 64 MiB holds a build's temporary files but not a disk-filling loop; an
// hour of idleness ends a sandbox nobody uses (its caps hold memory and processes back).
export const DEFAULT_PROFILE: Profile = {
  name: 'default',
  network: 'none',
  home: 'hidden',
  project: '~/pty-relay-sandbox/{session}',
  write: [],
  tmpBytes: 64 * MIB,
  memoryBytes: 512 * MIB,
  cpu: 0.5,
  pids: 100,
  idleTimeoutMs: 3600_000,
  unenforced: 'refuse',
  // nobody/nogroup: owns no files a sandbox could reach. A daemon whose profiles bind directories
  // other services running as nobody can reach should name a uid of its own (README).
  uid: 65534,
  gid: 65534,
};

// The configuration when no file is given: the built-in profile only.
export function builtinSandboxConfig(): SandboxConfig {
  return { defaultProfile: 'default', profiles: new Map([['default', DEFAULT_PROFILE]]) };
}

// Reads --sandbox-config FILE: {"default": NAME, "profiles": {NAME: {field: value, …}}}.
// Throws PR_ERR_USAGE naming the file and the field at fault.
export function loadSandboxConfig(file: string): SandboxConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RelayError('PR_ERR_USAGE', `cannot read the sandbox configuration ${file}: ${(err as Error).message}`, { cause: err });
  }
  const bad = (what: string): never => {
    throw new RelayError('PR_ERR_USAGE', `sandbox configuration ${file}: ${what}`);
  };
  if (!isObject(raw)) return bad('must be a JSON object {"default": NAME, "profiles": {…}}');
  const config = builtinSandboxConfig();
  const profiles = raw.profiles ?? {};
  if (!isObject(profiles)) return bad('"profiles" must be an object of profiles by name');
  for (const [name, body] of Object.entries(profiles)) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name)) bad(`profile name "${name}" must be 1-32 characters [a-z0-9_-], starting with a letter`);
    if (!isObject(body)) bad(`profile "${name}" must be an object`);
    config.profiles.set(name, parseProfile(name, body as Record<string, unknown>, (w) => bad(`profile "${name}": ${w}`)));
  }
  if (raw.default !== undefined) {
    if (typeof raw.default !== 'string' || !config.profiles.has(raw.default)) bad(`"default" must name a profile (${[...config.profiles.keys()].join(', ')})`);
    config.defaultProfile = raw.default as string;
  }
  return config;
}

const FIELDS = 'network, home, project, write, tmpSize, memory, cpu, pids, idleTimeout, unenforced, uid, gid';

function parseProfile(name: string, o: Record<string, unknown>, bad: (what: string) => never): Profile {
  const p: Profile = { ...DEFAULT_PROFILE, name, write: [...DEFAULT_PROFILE.write] };
  for (const [key, v] of Object.entries(o)) {
    switch (key) {
      case 'network':
        if (v !== 'none' && v !== 'host') bad('"network" is "none" or "host"');
        p.network = v as Profile['network'];
        break;
      case 'home':
        if (v !== 'hidden' && v !== 'read-only') bad('"home" is "hidden" or "read-only"');
        p.home = v as Profile['home'];
        break;
      case 'project':
        if (typeof v !== 'string' || !isPathTemplate(v)) bad('"project" is an absolute path or one under ~/ ({session} stands for the session name)');
        p.project = v as string;
        break;
      case 'write':
        if (!Array.isArray(v) || !v.every((d) => typeof d === 'string' && isPathTemplate(d))) bad('"write" is a list of absolute paths or paths under ~/');
        p.write = v as string[];
        break;
      case 'tmpSize':
        p.tmpBytes = size(v) ?? bad('"tmpSize" is a size such as "64M" (k, M, G suffixes)');
        break;
      case 'memory':
        p.memoryBytes = v === null ? null : (size(v) ?? bad('"memory" is a size such as "512M", or null for no cap'));
        break;
      case 'cpu':
        if (v !== null && (typeof v !== 'number' || !(v > 0) || v > 1024)) bad('"cpu" is a number of CPUs (0.5: half of one), or null for no cap');
        p.cpu = v as number | null;
        break;
      case 'pids':
        if (v !== null && (!Number.isInteger(v) || (v as number) < 2)) bad('"pids" is a number of processes (at least 2), or null for no cap');
        p.pids = v as number | null;
        break;
      case 'idleTimeout':
        if (typeof v !== 'number' || v < 0) bad('"idleTimeout" is seconds (0: the daemon\'s --session-idle-timeout)');
        p.idleTimeoutMs = Math.round((v as number) * 1000);
        break;
      case 'unenforced':
        if (v !== 'refuse' && v !== 'allow') bad('"unenforced" is "refuse" or "allow"');
        p.unenforced = v as Profile['unenforced'];
        break;
      case 'uid':
      case 'gid':
        // 0 would be root again; past 2^31 is not a Linux id (and 2^32-1 means "unchanged").
        if (!Number.isInteger(v) || (v as number) < 1 || (v as number) >= 2 ** 31) bad(`"${key}" is a number from 1 to 2147483647 (the sandbox's shell never runs as root)`);
        p[key] = v as number;
        break;
      default:
        bad(`unknown field "${key}" (known: ${FIELDS})`);
    }
  }
  return p;
}

// A profile path for one session: ~ is the daemon user's home, {session} the session's name.
export function expandPath(template: string, session: string, home = os.homedir()): string {
  const t = template.replaceAll('{session}', session);
  return path.resolve(t === '~' ? home : t.startsWith('~/') ? path.join(home, t.slice(2)) : t);
}

function isPathTemplate(v: string): boolean {
  return (v.startsWith('/') || v === '~' || v.startsWith('~/')) && !v.split('/').includes('..');
}

function size(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d+)([kKmMgG]?)$/.exec(v);
  if (m === null || Number(m[1]) === 0) return null;
  const unit = { '': 1, k: 1024, m: MIB, g: 1024 * MIB }[(m[2] as string).toLowerCase()] as number;
  return Number(m[1]) * unit;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
