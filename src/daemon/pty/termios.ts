// The only module that loads termios.node (src/native/termios.c, found by native/addon.ts): a
// PTY's output processing switched from the master side, and a stamp of the terminal's modes.
// null when the addon cannot be loaded: exec jobs then keep the kernel's output processing.
import { loadAddon } from '../../native/addon';

export interface Termios {
  // c_lflag * 65536 + (c_oflag & 0xffff), or -1 when `fd` is no terminal.
  flags(fd: number): number;
  // OPOST on or off; false when the terminal refused.
  setOutputProcessing(fd: number, on: boolean): boolean;
  // "\r" added before each "\n" of buf[0, end) without one (`lastCr`: buf follows a "\r"), the
  // rest as it is; null when nothing changes.
  addCr(buf: Buffer, end: number, lastCr: boolean): Buffer | null;
  // FD_CLOEXEC on `fd`; false when fcntl failed.
  setCloexec(fd: number): boolean;
}

let loaded: Termios | null | undefined;

// The addon, loaded once; null when it is not there.
export function termios(): Termios | null {
  if (loaded === undefined) {
    const r = loadAddon('termios');
    const t = r.ok ? (r.module as Partial<Termios>) : null;
    loaded = t !== null && typeof t.flags === 'function' && typeof t.setOutputProcessing === 'function' && typeof t.addCr === 'function' && typeof t.setCloexec === 'function' ? (t as Termios) : null;
  }
  return loaded;
}

// Marks `fd` close-on-exec, so no program started later (another session's shell) inherits it.
// Returns false when that cannot be done (no addon, or fcntl failed): the caller logs it.
export function closeOnExec(fd: number): boolean {
  return termios()?.setCloexec(fd) ?? false;
}

// OPOST in a flags() stamp.
export function outputProcessing(stamp: number): boolean {
  return stamp >= 0 && (stamp & 1) === 1;
}

// ONLCR (Linux: 0o4 in c_oflag) in a flags() stamp: a "\n" written is meant to start a new line.
export function newlineAddsCr(stamp: number): boolean {
  return stamp >= 0 && (stamp & 0o4) !== 0;
}
