// A framed client's liveness: it pings every heartbeat, and a client silent for the time limit is
// dropped as dead (a frozen tunnel, a half-open connection).
//
// Silence is judged only on what the daemon had the chance to read (base/after-reads.ts): a tick
// that finds the client silent judges again once the turn's reads are done, so a client whose
// pings waited unread while the daemon was held up is not dropped.

import { afterReads } from '../base/after-reads';

export interface Liveness {
  // The client sent something.
  heard(): void;
  // Stops watching: the connection closed, or it waits quietly on purpose.
  stop(): void;
}

// Calls `silent` once, when the client has sent nothing for `timeoutMs`, judged as above.
export function watchLiveness(timeoutMs: number, silent: () => void): Liveness {
  let lastHeard = Date.now();
  let stopped = false;
  let judging = false;
  const overdue = (): boolean => Date.now() - lastHeard > timeoutMs;
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    if (judging || !overdue()) return;
    judging = true;
    afterReads(
      () => ((judging = false), !stopped && overdue()),
      () => (stop(), silent()),
    );
  }, Math.max(50, Math.floor(timeoutMs / 4)));
  timer.unref();
  return { heard: () => void (lastHeard = Date.now()), stop };
}
