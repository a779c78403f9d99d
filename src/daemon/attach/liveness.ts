// A framed client's liveness: it pings every heartbeat, and a client silent for the time limit is
// dropped as dead (a frozen tunnel, a half-open connection).
//
// Silence is judged only on what the daemon had the chance to read. Node runs due timers before
// it polls for I/O (libuv: timers, then poll, then check), so after the daemon's own event loop
// was held up (a session spawned while a loaded machine starves it, measured at about a second),
// the first tick comes before any read and finds nothing heard for the whole hold-up, although the
// client's pings wait unread in the socket. So a tick that finds the client silent judges again
// after the next poll (setImmediate runs in the check phase that follows it): by then whatever
// the client sent has been read, and only a client that really sent nothing is dropped.

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
    setImmediate(() => {
      judging = false;
      if (stopped || !overdue()) return;
      stop();
      silent();
    });
  }, Math.max(50, Math.floor(timeoutMs / 4)));
  timer.unref();
  return { heard: () => void (lastHeard = Date.now()), stop };
}
