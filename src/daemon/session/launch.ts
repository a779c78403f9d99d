// A session's program being started under a holder (Program.start): the holder is spawned at once,
// and the daemon connects to it on a thread of its own (holder/link.ts), so the event loop serves
// every other client meanwhile (a loaded machine may take seconds to run a new holder at all).
// Exactly one of `ran` and `failed` is called, unless the start was cancelled first: then neither,
// and the holder is killed (its program with it, spawn.ts) or, already connected, hung up.
import type { Shell } from '../shell/shell';

export class Launch {
  readonly done: Promise<void>; // settles once the program runs, could not start, or was cancelled
  private cancelled = false;

  constructor(
    private readonly start: { shell: Promise<Shell>; cancel(): void },
    ran: (shell: Shell) => void,
    failed: (err: unknown) => void,
  ) {
    this.done = start.shell.then(
      (shell) => {
        if (!this.cancelled) return ran(shell);
        shell.link?.hangup();
        shell.detach();
      },
      (err: unknown) => {
        if (!this.cancelled) failed(err);
      },
    );
  }

  // Nothing waits for this program any more (its session was hung up or let go of).
  cancel(): void {
    this.cancelled = true;
    this.start.cancel();
  }
}
