// Reads the /proc facts that jobs/input-wait.ts judges: which processes are in the terminal's
// foreground and what each is blocked in. Linux only; elsewhere nothing is ever "waiting".
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { judgeProcess, parseSyscall, syscallTable, type ProcFacts } from './input-wait';
import { readStat } from '../pty/proc';

const table = syscallTable();

function facts(pid: number): ProcFacts {
  let text = '';
  try {
    text = fs.readFileSync(`/proc/${pid}/syscall`, 'latin1');
  } catch {
    // gone, or not ours to read
  }
  const { syscall, arg0 } = parseSyscall(text);
  return {
    pid,
    syscall,
    arg0,
    fd: (n) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${n}`);
      } catch {
        return null;
      }
    },
  };
}

// True when the terminal's foreground job (not the idle shell) is blocked reading the terminal.
export function probeInputWait(shellPid: number, pts: string): boolean {
  if (table === null) return false;
  const shell = readStat(shellPid);
  if (shell === null || shell.tpgid <= 0) return false;
  if (shell.tpgid === shell.pgrp) return judgeProcess(facts(shellPid), pts, table) === 'terminal';
  const leader = judgeProcess(facts(shell.tpgid), pts, table);
  if (leader === 'terminal') return true;
  // The leader waits for a child (git for its editor, the first stage of a pipeline exited…):
  // look at the rest of its process group.
  for (const pid of groupMembers(shell.tpgid)) {
    if (pid !== shell.tpgid && judgeProcess(facts(pid), pts, table) === 'terminal') return true;
  }
  return false;
}

function groupMembers(pgrp: number): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const st = readStat(Number(n));
    if (st !== null && st.pgrp === pgrp) out.push(Number(n));
  }
  return out;
}

// Whether the terminal hides what is typed, as a password prompt does: echo off while the
// terminal is still in line mode. (Readline, REPLs and full-screen programs turn echo off too,
// but together with line mode, and echo the keys themselves.) null when unknown.
export function passwordMode(pts: string): Promise<boolean | null> {
  return new Promise((resolve) => {
    execFile('stty', ['-F', pts, '-a'], { timeout: 2_000 }, (err, stdout) => {
      if (err !== null) return resolve(null);
      const off = (flag: string): boolean => new RegExp(`(^|\\s)-${flag}(\\s|;|$)`, 'm').test(stdout);
      resolve(off('echo') && !off('icanon'));
    });
  });
}
