// `#!kill`: stops the terminal's foreground job and keeps the shell. Each program gets SIGINT, then
// SIGTERM, then SIGKILL, each after a short grace, until the job ends (the shell's prompt is back).
// SIGTERM and SIGKILL never go to the shell itself: when the shell runs the command (a builtin, a
// loop), SIGINT is what aborts it, as Ctrl-C would.
import type { Job } from './job';
import { readStat } from '../pty/proc';

// Long enough for a program to clean up after SIGINT/SIGTERM (vim saves its swap file), short
// enough that an agent is not kept waiting.
const GRACE_MS: Record<StopSignal, number> = { SIGINT: 1_000, SIGTERM: 1_500, SIGKILL: 2_000 };
// A script that starts its next program after one was stopped gets the whole sequence again, up
// to this many programs.
const MAX_PROGRAMS = 5;
// How long the shell gets to finish a job (print its marks) after its program was stopped.
const SHELL_SETTLE_MS = 1_000;

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';
export interface StopResult {
  stopped: boolean;
  signal: StopSignal | null; // the last signal sent before the job ended
}

// Sends the escalating signals to the foreground of `shellPid`'s terminal until `job` ends; then
// ends what is left of the groups it signalled (see clearGroups).
export async function stopJob(job: Job, shellPid: number): Promise<StopResult> {
  let last: StopSignal | null = null;
  const groups = new Set<number>();
  for (let program = 0; program < MAX_PROGRAMS && job.live; program++) {
    const fg = readStat(shellPid);
    if (fg === null) break;
    const target = fg.tpgid;
    if (target === fg.pgrp || target <= 0) {
      // The shell itself is in the foreground: right after a program was stopped it is just
      // finishing the job (its prompt hooks must not be interrupted); else a builtin or loop
      // runs, which SIGINT aborts.
      if (last !== null && (await waitForEnd(job, shellPid, target, SHELL_SETTLE_MS))) continue;
      last = signal(job, shellPid, 'SIGINT', true);
      await waitForEnd(job, shellPid, target, GRACE_MS.SIGINT);
      continue;
    }
    groups.add(target);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as StopSignal[]) {
      if (!job.live) break;
      last = signal(job, target, sig, false);
      if (await waitForEnd(job, shellPid, target, GRACE_MS[sig])) break; // ended, or the next program runs
    }
  }
  if (job.live) job.killedBy = null;
  else await clearGroups(groups);
  return { stopped: !job.live, signal: last };
}

// A program that ignores SIGINT can outlive the job (git ended by SIGINT, its editor vim not):
// left in the background, it would print into the next command's output or take its keys. Once
// the job ended, what is left in a group it ran gets SIGTERM, then SIGKILL, each with its grace.
async function clearGroups(groups: Set<number>): Promise<void> {
  for (const g of groups) {
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      if (!groupLives(g)) break;
      try {
        process.kill(-g, sig);
      } catch {
        break; // gone meanwhile
      }
      const until = Date.now() + GRACE_MS[sig];
      while (groupLives(g) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    }
  }
}

// True while a process of group `g` is alive.
function groupLives(g: number): boolean {
  try {
    process.kill(-g, 0);
    return true;
  } catch {
    return false;
  }
}

// Sends `sig` to the shell or to a process group; the job's end then reads "killed" in every reply.
function signal(job: Job, target: number, sig: StopSignal, shell: boolean): StopSignal {
  job.killedBy = sig;
  try {
    process.kill(shell ? target : -target, sig);
  } catch {
    // the group is gone already
  }
  return sig;
}

// Resolves true when the job ended or the terminal's foreground group changed; false at `ms`.
function waitForEnd(job: Job, shellPid: number, group: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      if (!job.live) return true;
      const st = readStat(shellPid);
      return st === null || st.tpgid !== group;
    };
    if (check()) return resolve(true);
    const poll = setInterval(() => {
      if (check()) finish(true);
    }, 25);
    const unwatch = job.watch(() => {
      if (!job.live) finish(true);
    });
    const timer = setTimeout(() => finish(false), ms);
    function finish(v: boolean): void {
      clearInterval(poll);
      clearTimeout(timer);
      unwatch();
      resolve(v);
    }
  });
}

// Ctrl-C for the terminal's foreground: SIGINT to its process group, without the "^C" echo landing
// in the command's output, and working when the program put the terminal in raw mode. Falls back
// to typing ^C. Returns the group signalled, or null.
export function interruptForeground(shellPid: number, type: (b: Buffer) => void): number | null {
  const st = readStat(shellPid);
  try {
    if (st === null || st.tpgid <= 0) throw new Error('no foreground group');
    process.kill(-st.tpgid, 'SIGINT');
    return st.tpgid;
  } catch {
    type(Buffer.from('\x03'));
    return null;
  }
}
