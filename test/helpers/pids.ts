// Whether a process (a daemon, a shell, a holder) is still there, and waiting until it is not.
import { waitFor } from './deadline';

// True while `pid` exists (signal 0 checks without sending anything).
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Resolves once `pid` is gone; fails after `ms` (stretched for load, as every deadline).
export async function gone(what: string, pid: number, ms?: number): Promise<void> {
  await waitFor(what, () => (alive(pid) ? undefined : true), ms);
}
