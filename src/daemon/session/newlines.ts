// Exec jobs run with the terminal's output processing off, and terminals still see "\r\n".
//
// With OPOST on, the kernel turns every "\n" a program writes into "\r\n", at ~20-25 MB/s here;
// without it a PTY carries ~100 MB/s (make bench). So an exec job asks for it off before it
// starts (the `F` mark, shell-integration.ts), and waits until the daemon has switched it and
// written the mark's token back into the session's FIFO: every byte of the job's output is then
// unprocessed, which the job's cleaner is told (exact line endings, exec/clean.ts). The job's `D`
// mark switches it back on, and the shell waits for that too (its `G` mark) before its prompt.
//
// What attached terminals, the screen mirror and the ring see (the display stream) gets the
// "\r" back here: a "\n" without a "\r" before it becomes "\r\n", from the `F` mark until the next
// command starts (its `C` mark). Bytes the kernel did process already have "\r\n", so the rule
// holds whichever way a byte went through, which covers the prompt printed after `D` before the
// switch took effect. A program that changes the terminal's modes itself (a full-screen one)
// means its "\n" as it wrote it: while the modes differ from the ones set here, nothing is added.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { termios } from './termios';

// The FIFO the shell waits on, beside the script file in the session's private directory.
export const ACK_FIFO_NAME = 'ack';
// An `F` mark older than this is not acted on: the shell stops waiting after 1 s (its `read -t`)
// and runs the job as it is, so switching now would change the modes under a running job.
const FRESH_MS = 500;

export type NewlineWindow = 'off' | 'job' | 'after';

// The state handed to a new daemon (upgrade/).
export interface NewlinesHandover {
  window: NewlineWindow;
  ours: number; // the modes set at the `F` mark (termios.ts stamp)
  lastCr: boolean;
}

export class Newlines {
  private window: NewlineWindow = 'off';
  private ours = -1;
  private lastCr = false;
  private fifo: number | null = null;
  private cMark = Buffer.alloc(0); // the C mark of the shell whose nonce is `nonce`
  private nonce: string | null = null;

  constructor(private readonly dir: string) {}

  // The state for a new daemon (upgrade/), and taking it over there.
  handover(): NewlinesHandover {
    return { window: this.window, ours: this.ours, lastCr: this.lastCr };
  }

  restore(h: NewlinesHandover): void {
    Object.assign(this, { window: h.window, ours: h.ours, lastCr: h.lastCr });
  }

  // The `F` mark of an exec job that may run unprocessed (`wanted`): switches output processing
  // off on the PTY master `fd`, then answers the shell. True when the job's output is unprocessed.
  flip(fd: number, token: string, wanted: boolean, now = Date.now()): boolean {
    let off = false;
    const t = termios();
    const sent = Number(token.replace(',', '.')) * 1000;
    if (wanted && t !== null && Number.isFinite(sent) && now - sent < FRESH_MS && t.setOutputProcessing(fd, false)) {
      off = true;
      this.window = 'job';
      this.ours = t.flags(fd);
      this.lastCr = false;
    }
    this.answer(off ? `${token} off` : token);
    return off;
  }

  // The `G` mark, after the job's `D`: output processing is on again; answers the shell.
  flipBack(fd: number, token: string): void {
    this.jobEnded(fd);
    this.answer(token);
  }

  // The job ended (its `D` mark, or it was cut short): output processing on again.
  jobEnded(fd: number | null): void {
    if (this.window !== 'job') return;
    this.window = 'after';
    if (fd !== null) termios()?.setOutputProcessing(fd, true);
  }

  // The shell is gone: nothing of its output is converted any more.
  reset(): void {
    this.window = 'off';
    this.lastCr = false;
  }

  // The display stream: `data` as the PTY gave it, with "\r" added where it was left out. `nonce`:
  // the shell's (its `C` mark ends the window).
  display(data: Buffer, fd: number | null, nonce: string | null): Buffer {
    if (this.window === 'off') return data;
    if (nonce !== this.nonce) {
      this.nonce = nonce;
      this.cMark = Buffer.from(`\x1b]133;C;prn=${nonce ?? ''}\x07`, 'latin1');
    }
    let end = data.length;
    const c = data.indexOf(this.cMark);
    if (c !== -1) end = c;
    const mine = this.window === 'after' || fd === null || termios()?.flags(fd) === this.ours;
    if (c !== -1) this.window = 'off';
    return mine ? this.addCr(data, end) : data;
  }

  // Closes the FIFO (the session is gone).
  dispose(): void {
    if (this.fifo !== null) fs.closeSync(this.fifo);
    this.fifo = null;
  }

  // "\n" without "\r" before it becomes "\r\n", in data[0, end). Byte loops: V8 runs them at
  // ~1 GB/s, where an indexOf call per line would cost more than the line.
  private addCr(data: Buffer, end: number): Buffer {
    let prev = this.lastCr ? 0x0d : 0;
    let bare = 0;
    for (let i = 0; i < end; i++) {
      const b = data[i] as number;
      if (b === 0x0a && prev !== 0x0d) bare++;
      prev = b;
    }
    const wasCr = this.lastCr;
    if (end > 0) this.lastCr = prev === 0x0d;
    if (bare === 0) return data;
    const out = Buffer.allocUnsafe(data.length + bare);
    prev = wasCr ? 0x0d : 0;
    let to = 0;
    for (let i = 0; i < end; i++) {
      const b = data[i] as number;
      if (b === 0x0a && prev !== 0x0d) out[to++] = 0x0d;
      out[to++] = b;
      prev = b;
    }
    data.copy(out, to, end);
    return out;
  }

  // Writes the token back into the FIFO the shell reads (opened read-write: never blocks, and
  // a token the shell gave up on is skipped by the next one's loop).
  private answer(token: string): void {
    try {
      this.fifo ??= fs.openSync(path.join(this.dir, ACK_FIFO_NAME), fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
      fs.writeSync(this.fifo, `${token}\n`);
    } catch {
      // no FIFO (the shell made none) or it is full: the shell goes on after its 1 s wait
    }
  }
}
