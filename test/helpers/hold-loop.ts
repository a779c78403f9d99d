// Holds this process's event loop for `ms`, as a busy or starved process is held: no timer runs and
// no socket is read meanwhile, so what peers send waits in the kernel and timers fall due.
export function holdLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer, no read
  }
}
