// Exec jobs run with the terminal's output processing off, and terminals still see "\r\n".
//
// With OPOST on, the kernel turns every "\n" a program writes into "\r\n", at ~20-25 MB/s here;
// without it a PTY carries ~100 MB/s (make bench). So an exec job asks for it off before it
// starts (the `F` mark, shell-integration.ts), and waits until the daemon has switched it and
// written the mark's digit back into the session's FIFO: every byte of the job's output is then
// unprocessed, which the job's cleaner is told (exact line endings, clean/clean.ts). The job's `D`
// mark switches it back on, and the shell waits for that too (its `G` mark) before its prompt.
//
// What attached terminals, the screen mirror and the ring see (the display stream) gets the
// "\r" back here: a "\n" without a "\r" before it becomes "\r\n", from the `F` mark until the next
// command starts (its `C` mark). Bytes the kernel did process already have "\r\n", so the rule
// holds whichever way a byte went through, which covers the prompt printed after `D` before the
// switch took effect. While the terminal's ONLCR is off, nothing is added: a program that clears
// it (vim) means its "\n" as a bare line feed. Other mode changes do not count: a password
// prompt turns echo off, and a program that relays an inner terminal (sudo's use_pty, apt's dpkg,
// script, ssh) puts ours in raw mode (OPOST off, ONLCR kept) after giving the inner one a copy of
// our modes, OPOST off included: the "\n"s it relays lack the "\r" the inner terminal would have
// added, and a screen without it shows a staircase. curses does not use "\n" to move down while
// ONLCR is on, so the added "\r" is safe for full-screen programs that keep it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newlineAddsCr, termios } from '../pty/termios';

// The FIFO the shell waits on, beside the script file in the session's private directory.
export const ACK_FIFO_NAME = 'ack';
// An `F` mark older than this is not acted on: the shell stops waiting after 1 s (its `read -t`)
// and runs the job as it is, so switching now would change the modes under a running job.
const FRESH_MS = 500;

export type NewlineWindow = 'off' | 'job' | 'after';

// The state handed to a new daemon (upgrade/).
export interface NewlinesHandover {
  window: NewlineWindow;
  ours: number; // the modes set at the `F` mark (termios.ts stamp); read by daemons of earlier releases
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

  // (Without the addon here nothing is converted: its job's lines may show as a staircase.)
  restore(h: NewlinesHandover): void {
    Object.assign(this, { window: termios() === null ? 'off' : h.window, ours: h.ours, lastCr: h.lastCr });
  }

  // The `F` mark (`seq`, sent at `time`, bash's EPOCHREALTIME) of an exec job that may run
  // unprocessed (`wanted`): switches output processing off on the PTY master `fd`, then answers
  // the shell. True when the job's output is unprocessed.
  flip(fd: number, seq: string, time: string, wanted: boolean, now = Date.now()): boolean {
    let off = false;
    const t = termios();
    const sent = Number(time.replace(',', '.')) * 1000;
    if (wanted && t !== null && Number.isFinite(sent) && now - sent < FRESH_MS && t.setOutputProcessing(fd, false)) {
      off = true;
      this.window = 'job';
      this.ours = t.flags(fd);
      this.lastCr = false;
    }
    this.answer(`${seq}${off ? 'o' : 'n'}`);
    return off;
  }

  // The `G` mark (`seq`), after the job's `D`: output processing is on again; answers the shell.
  flipBack(fd: number, seq: string): void {
    this.jobEnded(fd);
    this.answer(`${seq}n`);
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
    const mine = this.window === 'after' || fd === null || newlineAddsCr(termios()?.flags(fd) ?? -1);
    if (c !== -1) this.window = 'off';
    return mine ? this.addCr(data, end) : data;
  }

  // Closes the FIFO (the session is gone).
  dispose(): void {
    if (this.fifo !== null) fs.closeSync(this.fifo);
    this.fifo = null;
  }

  // "\n" without "\r" before it becomes "\r\n", in data[0, end) (in C: termios.node).
  private addCr(data: Buffer, end: number): Buffer {
    const out = termios()?.addCr(data, end, this.lastCr) ?? null;
    if (end > 0) this.lastCr = data[end - 1] === 0x0d;
    return out ?? data;
  }

  // Writes the answer into the FIFO the shell reads (opened read-write: never blocks, and an
  // answer the shell gave up on is skipped by the next one's loop).
  private answer(text: string): void {
    try {
      this.fifo ??= fs.openSync(path.join(this.dir, ACK_FIFO_NAME), fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
      fs.writeSync(this.fifo, text);
    } catch {
      // no FIFO (the shell made none) or it is full: the shell goes on after its 1 s wait
    }
  }
}
