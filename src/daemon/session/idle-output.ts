// Output printed while no job runs: a background server's log lines, `(sleep 1; echo tick) &`,
// arriving at the shell's prompt. No job's reply carries them, so they are kept here (cleaned as a
// job's output is) for the next exec reply on the session, which starts with them (exec/idle-reply.ts).
//
// What counts: bytes from a job's end (the shell's `D` mark) to the next prompt (`A`), and from
// the end of the prompt (`B`, at the end of PS1, see shell-integration.ts) to the next thing that
// makes the shell print (a keystroke, a resize that redraws the prompt, a job starting, the
// terminal repair). So the prompt, readline's echo and our own request line never count.
// Keys typed ahead (they waited in the terminal while a job ran) are read by readline at once
// after `B`: their echo, up to the `T` or `C` mark of the line they make, is not output either
// (accepted()). A prompt drawn again while open (a resize's SIGWINCH that bash handles only after
// it drew the prompt: under load) leaves its text on the line held back, which is dropped there.
// Between those moments output is not kept (a person typing at the prompt sees it on the screen).
// Shells that print no `B` mark (an rc of an earlier release, adopted through an upgrade) keep
// only what comes before their prompt.
import { OutputCleaner } from '../clean/clean';

// Kept for the next reply; older bytes are counted as left out.
export const IDLE_KEEP_BYTES = 64 * 1024;

interface Piece {
  at: number; // offset of data[0] among all the bytes kept so far
  time: number; // when it arrived (ms)
  data: Buffer;
}

// What the next reply carries: the undelivered text (`total` bytes since `since`, of which the
// first `omitted` are no longer kept), and `commit` to call once that reply reached its client.
export interface IdleTake {
  text: Buffer;
  total: number;
  omitted: number;
  since: Date;
  commit: () => void;
}

export class IdleOutput {
  private open = false;
  private clean = new OutputCleaner();
  private pieces: Piece[] = [];
  private head = 0; // bytes kept so far (cleaned)
  private delivered = 0; // bytes a reply that reached its client carried
  private lineFrom = 0; // `head` when it opened: what a line accepted there echoed comes after

  // A job ended or the prompt was drawn; `idle`: no job runs and none is about to start. Open
  // already (a redraw): the unfinished line held back is the prompt drawn again, not output.
  opening(idle: boolean): void {
    if (!idle) return this.close();
    if (this.open) this.clean = new OutputCleaner();
    this.open = true;
    this.lineFrom = this.head;
  }

  // A line read at the prompt was accepted (the `T` or `C` mark): what came since the prompt is
  // that line's echo (keys typed ahead, read at once); it is dropped, but for what a reply had.
  accepted(): void {
    if (!this.open) return;
    this.open = false;
    this.clean = new OutputCleaner();
    const from = Math.max(this.lineFrom, this.delivered);
    this.pieces = this.pieces.filter((p) => p.at < from);
    const last = this.pieces[this.pieces.length - 1];
    if (last !== undefined && last.at + last.data.length > from) last.data = last.data.subarray(0, from - last.at);
    this.head = Math.min(this.head, from);
  }

  // The shell is about to print for another reason (see the header): stop until the next prompt.
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.add(this.clean.flush());
  }

  // Output between marks, while no job runs.
  data(chunk: Buffer): void {
    if (this.open) this.add(this.clean.push(chunk));
  }

  // The undelivered output, or null when there is none. The last `shownBytes` are given.
  take(shownBytes: number): IdleTake | null {
    if (this.open) this.add(this.clean.flush());
    const total = this.head - this.delivered;
    if (total <= 0) return null;
    const reached = this.head;
    const from = Math.max(this.delivered, reached - shownBytes, this.pieces[0]?.at ?? reached);
    const first = this.pieces.find((p) => p.at + p.data.length > this.delivered);
    const parts = this.pieces.filter((p) => p.at + p.data.length > from).map((p) => p.data.subarray(Math.max(0, from - p.at)));
    return {
      text: Buffer.concat(parts),
      total,
      omitted: from - this.delivered,
      since: new Date(first?.time ?? Date.now()),
      commit: () => {
        this.delivered = Math.max(this.delivered, reached);
        this.trim();
      },
    };
  }

  private add(text: Buffer): void {
    if (text.length === 0) return;
    this.pieces.push({ at: this.head, time: Date.now(), data: Buffer.from(text) });
    this.head += text.length;
    this.trim();
  }

  // Drops pieces that were delivered or fell out of what is kept.
  private trim(): void {
    const keepFrom = Math.max(this.delivered, this.head - IDLE_KEEP_BYTES);
    while (this.pieces.length > 0 && (this.pieces[0] as Piece).at + (this.pieces[0] as Piece).data.length <= keepFrom) this.pieces.shift();
  }
}
