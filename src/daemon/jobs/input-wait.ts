// Is a job waiting for terminal input? Decided from kernel facts, never from the output's text:
// the terminal's foreground processes, the system call each is blocked in and what its file
// descriptors point at (DESIGN.md §9, measured here: `read -p` and getpass block in read() on the
// tty; vim, less, top and the python REPL block in pselect6/poll with the tty as stdin).
//
// False alarms are avoided by what is required: a process blocked (not running) in a read of the
// terminal itself, or in a poll-family call while its stdin is the terminal; a read of a pipe, a
// file or /dev/null, a sleep or a wait for a child never counts. The session also requires the
// job's output to have been quiet and two probes in a row to agree (see quiet-probe.ts).
// A full-screen program between keystrokes *is* waiting for input, and is reported as such.

export interface ProcFacts {
  pid: number;
  hidden: boolean; // its syscall cannot be read (another user's process: setuid sudo, su, passwd)
  syscall: number | null; // the blocked system call's number; null when running or unreadable
  arg0: number | null; // its first argument (the fd, for read)
  fd: (n: number) => string | null; // where fd n points (readlink of /proc/PID/fd/n)
}

interface SyscallTable {
  read: number[]; // read(fd, …) family: the fd is the first argument
  poll: number[]; // poll/select/epoll family: which fds cannot be seen; stdin decides
  wait: number[]; // wait4/waitid: the process waits for a child (look at the rest of the group)
}

// Linux system call numbers for the architectures Node ships on.
const TABLES: Record<string, SyscallTable> = {
  x64: { read: [0, 17, 19], poll: [7, 23, 232, 270, 271, 281, 441], wait: [61, 247] },
  arm64: { read: [63, 65, 67], poll: [22, 72, 73, 441], wait: [95, 260] },
};

// The table for this machine, or null where we cannot judge (then nothing is ever "waiting").
export function syscallTable(arch: string = process.arch): SyscallTable | null {
  return TABLES[arch] ?? null;
}

// True when `target` (an fd's link) is the session's terminal.
export function isTerminal(target: string | null, pts: string): boolean {
  return target !== null && (target === pts || target === '/dev/tty');
}

// Does this process wait for the terminal? 'child' means it waits for a child process instead.
export function judgeProcess(p: ProcFacts, pts: string, table: SyscallTable): 'terminal' | 'child' | 'no' {
  if (p.syscall === null) return 'no';
  if (table.read.includes(p.syscall)) return p.arg0 !== null && isTerminal(p.fd(p.arg0), pts) ? 'terminal' : 'no';
  if (table.poll.includes(p.syscall)) return isTerminal(p.fd(0), pts) ? 'terminal' : 'no';
  if (table.wait.includes(p.syscall)) return 'child';
  return 'no';
}

// The terminal's own modes (from the PTY master) say a password prompt: echo off, line mode on.
// Linux c_lflag bits: ECHO 0o10, ICANON 0o2.
export function passwordModes(lflag: number): boolean {
  return (lflag & 0o10) === 0 && (lflag & 0o2) !== 0;
}

// A process whose syscall we cannot read waits for a password when it sleeps (not running) while
// the terminal is in password mode (DESIGN.md §10: sudo's prompt leaves -echo icanon; its
// /proc/PID/stat stays readable). A program that is busy runs, or leaves echo on.
export function hiddenPasswordWait(state: string | null, lflag: number | null): boolean {
  return state === 'S' && lflag !== null && passwordModes(lflag);
}

// Parses /proc/PID/syscall: "NR ARG0 …" when blocked, "running" (or "-1 …") otherwise.
export function parseSyscall(text: string): { syscall: number | null; arg0: number | null } {
  const parts = text.trim().split(' ');
  const nr = Number(parts[0]);
  if (parts[0] === undefined || !/^\d+$/.test(parts[0]) || !Number.isSafeInteger(nr)) return { syscall: null, arg0: null };
  const arg0 = parts[1] !== undefined && /^0x[0-9a-f]+$/i.test(parts[1]) ? Number.parseInt(parts[1], 16) : null;
  return { syscall: nr, arg0: arg0 !== null && Number.isSafeInteger(arg0) ? arg0 : null };
}
