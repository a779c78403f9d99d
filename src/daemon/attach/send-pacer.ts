// Paces one connection's output sends so that a flood leaves in a few large writes instead of
// one small write per PTY read. A PTY hands over at most ~4 KiB per read (the line discipline's
// buffer), ~6,000 reads a second at full speed; a loopback socket write costs tens of
// microseconds whatever its size, and each one also costs the client a read and an ACK.
//
// Time is cut into windows of PACE_MS. Within a window, output is sent at once until
// PACE_BURST_BYTES went out; what comes after that waits for the window's end and leaves in one
// write, unless it reaches PACE_HOLD_BYTES (or a quarter of a small ring, which must not run past
// a peer only because of pacing) first. A keystroke's echo, or anything interactive, is thus never
// delayed; a flood by at most PACE_MS.
import { OUTPUT_CHUNK_BYTES } from '../../protocol/frame';

// A window: at the PTY's full speed ~100 KiB gather in it; a quarter of a 60 Hz frame.
export const PACE_MS = 4;
// Sent at once within a window: more than typing or an interactive program's step prints.
export const PACE_BURST_BYTES = 8 * 1024;
// Held back at most: one full OUTPUT frame.
export const PACE_HOLD_BYTES = OUTPUT_CHUNK_BYTES;

export class SendPacer {
  private windowStart = -Infinity; // performance.now() at the current window's start
  private windowBytes = 0; // sent within it
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly send: () => void) {}

  // `waiting` bytes of output may be sent, from a ring of `ringBytes`: sends now, or at the
  // window's end when its burst went out already.
  wake(waiting: number, ringBytes: number): void {
    if (waiting >= Math.min(PACE_HOLD_BYTES, ringBytes / 4)) return this.send();
    if (this.timer !== null) return;
    const now = performance.now();
    if (now - this.windowStart >= PACE_MS) this.newWindow(now);
    if (this.windowBytes < PACE_BURST_BYTES) return this.send();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.newWindow(performance.now());
      this.send();
    }, this.windowStart + PACE_MS - now);
  }

  // `bytes` of output were sent just now.
  sent(bytes: number): void {
    this.windowBytes += bytes;
  }

  // The connection is closing: no more sends.
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private newWindow(now: number): void {
    this.windowStart = now;
    this.windowBytes = 0;
  }
}
