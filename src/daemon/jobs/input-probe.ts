// Reads the /proc facts that jobs/input-wait.ts judges: which processes are in the terminal's
// foreground and what each is blocked in. Linux only; elsewhere nothing is ever "waiting".
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { hiddenPasswordWait, judgeProcess, parseSyscall, passwordModes, syscallTable, type ProcFacts } from './input-wait';
import { readLife, readStat } from '../pty/proc';
import { termios } from '../pty/termios';

const table = syscallTable();

function facts(pid: number): ProcFacts {
  let text = '';
  let hidden = false;
  try {
    text = fs.readFileSync(`/proc/${pid}/syscall`, 'latin1');
  } catch (err) {
    hidden = (err as NodeJS.ErrnoException).code === 'EACCES'; // not ours to read (else: gone)
  }
  const { syscall, arg0 } = parseSyscall(text);
  return {
    pid,
    hidden,
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
// A process we may not inspect (setuid sudo, su, passwd) counts when it sleeps while the terminal
// (read from its master, `masterFd`) is in password mode.
export function probeInputWait(shellPid: number, pts: string, masterFd: number | null = null): boolean {
  if (table === null) return false;
  const shell = readStat(shellPid);
  if (shell === null || shell.tpgid <= 0) return false;
  if (shell.tpgid === shell.pgrp) return judgeProcess(facts(shellPid), pts, table) === 'terminal';
  const lead = facts(shell.tpgid);
  if (judgeProcess(lead, pts, table) === 'terminal') return true;
  let hidden = lead.hidden ? lead.pid : null;
  // The leader waits for a child (git for its editor, the first stage of a pipeline exited…):
  // look at the rest of its process group.
  for (const pid of groupMembers(shell.tpgid)) {
    if (pid === shell.tpgid) continue;
    const p = facts(pid);
    if (judgeProcess(p, pts, table) === 'terminal') return true;
    if (p.hidden && hidden === null) hidden = pid;
  }
  return hidden !== null && hiddenPasswordWait(readLife(hidden)?.state ?? null, lflag(masterFd));
}

// Whether the terminal is in line mode (ICANON: the kernel keeps typed keys until a line is read);
// null when unknown.
export function lineMode(masterFd: number | null): boolean | null {
  const l = lflag(masterFd);
  return l === null ? null : (l & ICANON) !== 0;
}
const ICANON = 0o2; // Linux c_lflag

// The terminal's c_lflag from its master; null when unknown (no addon).
function lflag(masterFd: number | null): number | null {
  const t = termios();
  if (masterFd === null || t === null) return null;
  const f = t.flags(masterFd);
  return f < 0 ? null : Math.floor(f / 65536);
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
// but together with line mode, and echo the keys themselves.) null when unknown. Read from the
// master when the addon is there (no process to start), else with stty.
export function passwordMode(pts: string, masterFd: number | null = null): Promise<boolean | null> {
  const l = lflag(masterFd);
  if (l !== null) return Promise.resolve(passwordModes(l));
  return new Promise((resolve) => {
    execFile('stty', ['-F', pts, '-a'], { timeout: 2_000 }, (err, stdout) => {
      if (err !== null) return resolve(null);
      const off = (flag: string): boolean => new RegExp(`(^|\\s)-${flag}(\\s|;|$)`, 'm').test(stdout);
      resolve(off('echo') && !off('icanon'));
    });
  });
}
