// File descriptors: each session holds a PTY and each client a socket, so a daemon near its
// RLIMIT_NOFILE starts refusing sessions and connections.
// Linux only (/proc/PID/limits and fd/): a server check.
import * as fs from 'node:fs';
import { ok, skip, warning, type Check } from './check';

// Warn when less than this share of the limit is free.
export const FREE_SHARE_MIN = 0.2;
// The default limits (64 sessions of ~4 descriptors, 32 clients each) fit in 1024; below 256 a
// busy day runs out.
export const LOW_LIMIT = 256;

// The soft "Max open files" limit from /proc/PID/limits text.
export function softNofile(limits: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (m === null) return null;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

// Descriptors used against the soft limit, for the daemon's pid (or null: no daemon found here).
export function fdsCheck(pid: number | null): Check {
  if (pid === null) return skip('fds', 'no running daemon found on this machine to look at');
  let limit: number | null;
  let used: number;
  try {
    limit = softNofile(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
    used = fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch (err) {
    return warning('fds', `cannot look at the descriptors of the daemon (pid ${pid}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'run doctor as the user who runs the daemon');
  }
  if (limit === null) return skip('fds', `pid ${pid} reports no descriptor limit`);
  const fix = 'raise it: `LimitNOFILE=65536` in the unit (`systemctl --user edit pty-relay`), or `ulimit -n 65536` before `pty-relay serve`';
  const text = `the daemon (pid ${pid}) uses ${used} of its ${limit === Infinity ? 'unlimited' : limit} file descriptors`;
  if (limit < LOW_LIMIT) return warning('fds', `${text}: a low limit`, fix);
  if (limit - used < limit * FREE_SHARE_MIN) return warning('fds', `${text}: few left`, fix);
  return ok('fds', text);
}
