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
