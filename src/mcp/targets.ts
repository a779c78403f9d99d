// The daemons one MCP server reaches, by name: `--target NAME=WHERE` flags, the targets file, and
// the daemon given by --host/--port/--socket. Pure parsing; the command line reads the files.
//
// The targets file (~/.config/pty-relay/targets, or $XDG_CONFIG_HOME/pty-relay/targets) holds one
// target a line, `#` starts a comment:
//   NAME=WHERE [secret-file=PATH]
// WHERE is `HOST:PORT`, `[V6ADDR]:PORT`, a bare `PORT` (localhost), or `unix:PATH`. A relative or
// `~/` secret-file path is taken from the file's directory or the home directory.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Endpoint } from '../client/endpoint';
import { RelayError } from '../errors';

// Target names, like session names, appear in tool schemas and messages: kept plain.
export const TARGET_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// The name of the target made from --host/--port/--socket (or the discovered local daemon).
export const DEFAULT_TARGET = 'default';

export interface Target {
  name: string;
  endpoint: Endpoint;
  secret: string | null;
}

export interface TargetEntry {
  name: string;
  endpoint: Endpoint;
  secretFile?: string; // from the targets file; absolute
}

// Parses where a daemon listens: `unix:PATH`, `HOST:PORT`, `[V6]:PORT` or a bare `PORT`.
export function parseWhere(where: string): Endpoint {
  if (where.startsWith('unix:')) {
    const p = where.slice(5);
    if (p === '') throw new RelayError('PR_ERR_USAGE', `"${where}" names no socket path`);
    return { path: p };
  }
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):)?(\d{1,5})$/.exec(where);
  const port = Number(m?.[2]);
  if (m === null || port < 1 || port > 65535) {
    throw new RelayError('PR_ERR_USAGE', `invalid target address "${where}": use HOST:PORT, [IPV6]:PORT, PORT or unix:PATH`);
  }
  return { host: (m[1] ?? 'localhost').replace(/^\[(.*)\]$/, '$1'), port };
}

// Parses one `NAME=WHERE` (the --target flag).
export function parseTargetSpec(spec: string): TargetEntry {
  const eq = spec.indexOf('=');
  const name = eq === -1 ? '' : spec.slice(0, eq);
  if (!TARGET_NAME_RE.test(name)) {
    throw new RelayError('PR_ERR_USAGE', `invalid target "${spec}": use NAME=HOST:PORT or NAME=unix:PATH, NAME being 1-64 characters [A-Za-z0-9_.-]`);
  }
  return { name, endpoint: parseWhere(spec.slice(eq + 1)) };
}

// Parses the targets file's text; `file` names it in errors and anchors relative secret paths.
export function parseTargetsFile(text: string, file: string, home = os.homedir()): TargetEntry[] {
  const entries: TargetEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [spec, ...opts] = line.split(/\s+/) as [string, ...string[]];
    let entry: TargetEntry;
    try {
      entry = parseTargetSpec(spec);
      for (const opt of opts) {
        const m = /^secret-file=(.+)$/.exec(opt);
        if (m === null) throw new RelayError('PR_ERR_USAGE', `unknown option "${opt}" (known: secret-file=PATH)`);
        const p = m[1] as string;
        entry.secretFile = p.startsWith('~/') ? path.join(home, p.slice(2)) : path.resolve(path.dirname(file), p);
      }
    } catch (err) {
      throw new RelayError('PR_ERR_USAGE', `${file}, line ${i + 1}: ${(err as Error).message}`, { cause: err });
    }
    entries.push(entry);
  });
  return entries;
}

// Where the targets file is looked for.
export function targetsFilePath(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return path.join(base, 'pty-relay', 'targets');
}

export interface TargetSources {
  flags: TargetEntry[]; // --target, in order
  file: TargetEntry[]; // the targets file, in order
  explicit: Endpoint | null; // --host/--port/--socket given on the command line or in the environment
  fallback: Endpoint; // the local daemon: its unix socket when present, else localhost:9998
  secret: string | null; // --secret-file / PTY_RELAY_SECRET, for targets without their own
  readSecret(file: string): string; // reads a target's own secret file
}

// The targets and the default one. A flag wins over a file entry of the same name. The default is
// the explicit endpoint when given, else the first named target, else the local daemon.
export function assembleTargets(s: TargetSources): { targets: Target[]; defaultName: string } {
  const byName = new Map<string, Target>();
  const add = (e: TargetEntry): void => {
    if (byName.has(e.name)) return;
    byName.set(e.name, { name: e.name, endpoint: e.endpoint, secret: e.secretFile !== undefined ? s.readSecret(e.secretFile) : s.secret });
  };
  if (s.explicit !== null) add({ name: DEFAULT_TARGET, endpoint: s.explicit });
  for (const e of s.flags) {
    if (s.flags.filter((f) => f.name === e.name).length > 1) throw new RelayError('PR_ERR_USAGE', `target "${e.name}" is given twice`);
    add(e);
  }
  for (const e of s.file) add(e);
  if (byName.size === 0) add({ name: DEFAULT_TARGET, endpoint: s.fallback });
  const targets = [...byName.values()];
  return { targets, defaultName: (targets[0] as Target).name };
}
