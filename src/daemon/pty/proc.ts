// Linux /proc look-ups about a session's shell. Each returns null/'' when the process is gone.
import * as fs from 'node:fs';

// The command line of `pid`, NUL-separated.
export function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

// The process group of `pid` and the foreground process group of its terminal (tpgid).
export function readStat(pid: number): { pgrp: number; tpgid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name, which is in parentheses and may itself contain any bytes.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    const tpgid = Number(fields[5]);
    return Number.isInteger(pgrp) && Number.isInteger(tpgid) ? { pgrp, tpgid } : null;
  } catch {
    return null;
  }
}

// The foreground process group of the terminal that `pid` belongs to.
export function foregroundPgrp(pid: number): number | null {
  const st = readStat(pid);
  return st !== null && st.tpgid > 0 ? st.tpgid : null;
}

// The current directory of `pid`.
export function readCwd(pid: number): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

// What /proc says of `pid` now: its state letter (Z for a zombie), its start time (clock ticks since
// boot; with the pid it names one process, so a reused pid is told apart) and, for a zombie, its
// wait status (field 52, Linux ≥ 3.5). null when no such process exists.
export function readLife(pid: number): { state: string; startTime: number; waitStatus: number | null } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0] ?? '?';
    const waitStatus = state === 'Z' && fields[49] !== undefined ? Number(fields[49]) : null;
    return { state, startTime: Number(fields[19]), waitStatus: Number.isInteger(waitStatus) ? waitStatus : null };
  } catch {
    return null;
  }
}

// The program a chain of wrappers runs: from `pid` down through processes whose name is in
// `wrappers` and that have exactly one child (a sandbox's bwrap and its PID-namespace init).
// `pid` itself is always a wrapper, whatever its name: until it has exec'd one it is the process
// that forked it (node-pty's or the holder's child) or the sh that enters the cgroup.
// Returns the deepest process reached, and whether it is past every wrapper.
export function innermostPid(pid: number, wrappers: readonly string[]): { pid: number; final: boolean } {
  let at = pid;
  for (let depth = 0; depth < 8; depth++) {
    let comm: string;
    let children: string[];
    try {
      comm = fs.readFileSync(`/proc/${at}/comm`, 'latin1').trim();
      if (depth > 0 && !wrappers.includes(comm)) return { pid: at, final: true };
      children = fs.readFileSync(`/proc/${at}/task/${at}/children`, 'latin1').trim().split(' ').filter((c) => c !== '');
    } catch {
      return { pid: at, final: false };
    }
    if (children.length !== 1) return { pid: at, final: false };
    at = Number(children[0]);
  }
  return { pid: at, final: false };
}

// The parent of `pid` (field 4 of /proc/PID/stat), or null when no such process exists.
export function readParent(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}

// Sends `sig` to every process whose session is `sid` (a session's shell leads its terminal's
// session): its jobs too, each in a process group of its own, which a signal to the shell or its
// group misses. Those that left the session (setsid) are not ours to end.
export function signalSession(sid: number, sig: NodeJS.Signals): void {
  if (sid <= 1) return;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === sid) process.kill(Number(name), sig);
    } catch {
      // gone meanwhile, or not ours
    }
  }
}
