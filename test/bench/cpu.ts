// CPU time a daemon and its session spend, from the kernel's scheduler statistics
// (/proc/PID/task/TID/schedstat: ns run on a CPU, ns waited on a run queue), summed over every
// thread. Unlike wall time it hardly moves with the machine's load, so two builds compared on a
// busy machine still differ only by their own work; the run-queue wait shows how much of a
// round trip the load took, and the times a thread was put on a CPU (each a wake-up, mostly)
// how often a request makes the processes wait for each other.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface Times {
  runNs: number;
  waitNs: number;
  slices: number; // times put on a CPU
}

// The sum over every thread of `pid` (zero when it is gone).
export function taskTimes(pid: number): Times {
  const t = { runNs: 0, waitNs: 0, slices: 0 };
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return t;
  }
  for (const tid of tids) {
    try {
      const [run, wait, slices] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ');
      t.runNs += Number(run);
      t.waitNs += Number(wait);
      t.slices += Number(slices);
    } catch {
      // the thread ended
    }
  }
  return t;
}

// The processes of a daemon: itself, and each session's shell and holder (from `ls --json`).
export function daemonProcesses(bin: string[], port: number, daemonPid: number): { daemon: number; shells: number[] } {
  const [cmd, ...args] = bin as [string, ...string[]];
  const ls = JSON.parse(execFileSync(cmd, [...args, 'ls', '--json', '--port', String(port)], { encoding: 'utf8' })) as Array<{ pid: number | null; holder?: { pid: number | null } }>;
  const shells = ls.flatMap((s) => [s.pid, s.holder?.pid ?? null]).filter((p): p is number => typeof p === 'number' && p > 0);
  return { daemon: daemonPid, shells };
}

// The times of a set of processes now, to subtract from a later reading.
export function snapshot(pids: number[]): Times {
  return pids.map(taskTimes).reduce((a, t) => ({ runNs: a.runNs + t.runNs, waitNs: a.waitNs + t.waitNs, slices: a.slices + t.slices }), { runNs: 0, waitNs: 0, slices: 0 });
}

// `later` - `earlier`.
export function since(later: Times, earlier: Times): Times {
  return { runNs: later.runNs - earlier.runNs, waitNs: later.waitNs - earlier.waitNs, slices: later.slices - earlier.slices };
}
