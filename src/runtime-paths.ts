// Where the daemon's runtime directory (its unix socket relay.sock, the web token, the per-instance
// script directories) is, when no --runtime-dir names it. Shared by the daemon (which picks one) and
// the clients (which look for it): mcp, web, doctor. Paths only, plus one read-only check.
//
// The daemon, without --runtime-dir, takes the first of `daemonRuntimeBases` that is (or can be
// made) a private directory of ours: $XDG_RUNTIME_DIR/pty-relay when XDG_RUNTIME_DIR is set; else
// /tmp/pty-relay-UID, and when another user holds that name, $XDG_STATE_HOME/pty-relay/run
// (~/.local/state/pty-relay/run), which nobody else can take. Clients look through
// `clientRuntimeBases` and trust only a directory that `isOwnPrivateDir` accepts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function uidOf(): number | null {
  return process.getuid?.() ?? null;
}

function homeDir(env: NodeJS.ProcessEnv): string | null {
  if (env.HOME !== undefined && path.isAbsolute(env.HOME)) return env.HOME;
  try {
    return os.homedir();
  } catch {
    return null;
  }
}

// os.tmpdir(), read from `env`.
function tmpDir(env: NodeJS.ProcessEnv): string {
  return env.TMPDIR || env.TMP || env.TEMP || '/tmp';
}

function absolute(v: string | undefined): string | null {
  return v !== undefined && v !== '' && path.isAbsolute(v) ? v : null;
}

// The fallback in our home: $XDG_STATE_HOME/pty-relay/run, or ~/.local/state/pty-relay/run.
export function homeRuntimeBase(env: NodeJS.ProcessEnv = process.env): string | null {
  const state = absolute(env.XDG_STATE_HOME) ?? (homeDir(env) !== null ? path.join(homeDir(env) as string, '.local', 'state') : null);
  return state === null ? null : path.join(state, 'pty-relay', 'run');
}

// The daemon's choices, in order.
export function daemonRuntimeBases(env: NodeJS.ProcessEnv = process.env): string[] {
  const xdg = absolute(env.XDG_RUNTIME_DIR);
  if (xdg !== null) return [path.join(xdg, 'pty-relay')];
  const home = homeRuntimeBase(env);
  return [path.join(tmpDir(env), `pty-relay-${uidOf() ?? 'user'}`), ...(home !== null ? [home] : [])];
}

// Every place a daemon of ours started with default settings may have its runtime directory, in the
// order clients should look: $PTY_RELAY_RUNTIME_DIR, $XDG_RUNTIME_DIR/pty-relay,
// /run/user/UID/pty-relay (a daemon of systemd's, seen from an ssh session without
// XDG_RUNTIME_DIR), the home fallback, and /tmp/pty-relay-UID last (the one name another user
// can take first). Each is to be trusted only when `isOwnPrivateDir` says so.
export function clientRuntimeBases(env: NodeJS.ProcessEnv = process.env): string[] {
  const uid = uidOf();
  const list = [
    absolute(env.PTY_RELAY_RUNTIME_DIR),
    absolute(env.XDG_RUNTIME_DIR) !== null ? path.join(env.XDG_RUNTIME_DIR as string, 'pty-relay') : null,
    uid !== null ? `/run/user/${uid}/pty-relay` : null,
    homeRuntimeBase(env),
    path.join(tmpDir(env), `pty-relay-${uid ?? 'user'}`),
  ];
  return [...new Set(list.filter((d): d is string => d !== null))];
}

// True when `dir` is a real directory (not a symlink) owned by us, mode 0700 (nobody else can
// look inside or put anything there).
export function isOwnPrivateDir(dir: string, uid = uidOf()): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && (uid === null || st.uid === uid) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

// The runtime directory a default daemon uses now, for clients: the first of the daemon's choices
// that is a private directory of ours; else the first that does not exist yet (where a daemon would
// make it); else the first.
export function locateRuntimeBase(env: NodeJS.ProcessEnv = process.env): string {
  const bases = daemonRuntimeBases(env);
  return bases.find((d) => isOwnPrivateDir(d)) ?? bases.find((d) => !fs.existsSync(d)) ?? (bases[0] as string);
}
