// `#!kill`: stops the terminal's foreground job and keeps the shell. Each program gets SIGINT, then
// SIGTERM, then SIGKILL, each after a short grace, until the job ends (the shell's prompt is back).
// SIGTERM and SIGKILL never go to the shell itself: when the shell runs the command (a builtin, a
// loop), SIGINT is what aborts it, as Ctrl-C would.
import type { Job } from '../jobs/job';
import { readStat } from './proc';

// Long enough for a program to clean up after SIGINT/SIGTERM (vim saves its swap file), short
// enough that an agent is not kept waiting.
const GRACE_MS: Record<StopSignal, number> = { SIGINT: 1_000, SIGTERM: 1_500, SIGKILL: 2_000 };
// A script that starts its next program after one was stopped gets the whole sequence again, up
// to this many programs.
const MAX_PROGRAMS = 5;

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';
export interface StopResult {
  stopped: boolean;
  signal: StopSignal | null; // the last signal sent before the job ended
}

// Sends the escalating signals to the foreground of `shellPid`'s terminal until `job` ends.
export async function stopJob(job: Job, shellPid: number): Promise<StopResult> {
  let last: StopSignal | null = null;
  for (let program = 0; program < MAX_PROGRAMS && job.live; program++) {
    const fg = readStat(shellPid);
    if (fg === null) break;
    const target = fg.tpgid;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as StopSignal[]) {
      if (!job.live) break;
      const shellItself = target === fg.pgrp || target <= 0;
      if (shellItself && sig !== 'SIGINT') break;
      try {
        if (shellItself) process.kill(shellPid, 'SIGINT');
        else process.kill(-target, sig);
      } catch {
        // the group is gone already
      }
      last = sig;
      job.killedBy = sig; // so that its end reads "killed", in every reply that follows it
      const changed = await waitForEnd(job, shellPid, target, GRACE_MS[sig]);
      if (changed) break; // the job ended, or the script moved on to its next program
    }
  }
  if (job.live) job.killedBy = null;
  return { stopped: !job.live, signal: last };
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
