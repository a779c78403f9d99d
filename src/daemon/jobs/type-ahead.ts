// Would keys typed now wait unread in the terminal (type-ahead)? Then the line discipline keeps
// them until something reads the terminal: when the job ends, that is the shell, which runs them
// as a command (`#!send rm -rf …` to a job that was not asking, or a stray `y\n`).
//
// Decided from cheap kernel facts, never from the output's text: the terminal is in line mode
// (ICANON, read from the PTY master: the kernel buffers a line, with or without echo), and no
// foreground process is blocked reading it (input-probe.ts, a fresh probe, not the 250 ms quiet
// rule). Full-screen programs and REPLs (vim, less, top, python's readline) take the terminal out
// of line mode, so keys to them are never held back, busy or not. Keys that only signal the
// foreground (Ctrl-C, Ctrl-Z, Ctrl-\) act at once and are never type-ahead; line-editing keys
// (erase, kill-line, word-erase) only edit what is queued. Ctrl-D is type-ahead: nothing reads it
// now, and a shell that reads it at an empty prompt exits.
import { lineMode, probeInputWait } from './input-probe';

// ^C ^Z ^\ (signals); ^H DEL ^U ^W (editing the queued line).
const NOT_TYPED_AHEAD = new Set([0x03, 0x1a, 0x1c, 0x08, 0x7f, 0x15, 0x17]);

// True when `bytes` holds anything besides signal and line-editing keys.
export function carriesText(bytes: Buffer): boolean {
  return bytes.some((b) => !NOT_TYPED_AHEAD.has(b));
}

// True when `bytes` typed now into the terminal of `shellPid` (its slave `pts`, its master
// `masterFd`) would wait there unread. False when unknown (no termios addon, not Linux).
export function wouldTypeAhead(bytes: Buffer, shellPid: number, pts: string | null, masterFd: number | null): boolean {
  if (!carriesText(bytes) || pts === null || lineMode(masterFd) !== true) return false;
  return !probeInputWait(shellPid, pts, masterFd);
}
