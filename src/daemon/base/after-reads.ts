// Judging a peer's silence fairly: after the reads that were due.
//
// Node runs due timers before it polls for I/O (libuv: timers, then poll, then check). When the
// daemon's own event loop was held up (a session spawned while a loaded machine starves it,
// measured at about a second), the first timer to run after the hold-up finds the peer silent for
// the whole of it, although what the peer sent in time waits unread in the socket. A timer that
// would act on a peer's silence therefore acts only after this turn's poll: setImmediate runs in
// the check phase that follows it, when whatever the peer sent has been read and has had its say.

// Calls `then` once this loop turn's reads are done, if `stillDue()` says so then.
export function afterReads(stillDue: () => boolean, then: () => void): void {
  setImmediate(() => {
    if (stillDue()) then();
  });
}
