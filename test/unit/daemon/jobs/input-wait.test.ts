import { expect, it } from 'vitest';
import { hiddenPasswordWait, judgeProcess, parseSyscall, syscallTable, type ProcFacts } from '../../../../src/daemon/jobs/input-wait';

const PTS = '/dev/pts/7';
const x64 = syscallTable('x64');
const arm64 = syscallTable('arm64');

function proc(syscall: number | null, arg0: number | null, fds: Record<number, string>): ProcFacts {
  return { pid: 1, hidden: false, syscall, arg0, fd: (n) => fds[n] ?? null };
}

it.each([
  // what was measured here: read -p on /dev/tty, getpass on fd 3, less, vim/python/top in pselect6
  ['read -p </dev/tty', proc(0, 0, { 0: '/dev/tty' }), 'terminal'],
  ['getpass on fd 3', proc(0, 3, { 0: PTS, 3: '/dev/tty' }), 'terminal'],
  ['less reading its pts', proc(0, 3, { 3: PTS }), 'terminal'],
  ['vim in pselect6 with the pts as stdin', proc(270, 1, { 0: PTS }), 'terminal'],
  ['node in epoll_pwait with the pts as stdin', proc(281, 4, { 0: PTS }), 'terminal'],
  ['cat reading a pipe', proc(0, 0, { 0: 'pipe:[123]' }), 'no'],
  ['a read of /dev/null', proc(0, 0, { 0: '/dev/null' }), 'no'],
  ['a server in poll with stdin /dev/null', proc(7, 1, { 0: '/dev/null' }), 'no'],
  ['sleep', proc(230, 0, { 0: PTS }), 'no'],
  ['running', proc(null, null, { 0: PTS }), 'no'],
  ['a read of another terminal', proc(0, 0, { 0: '/dev/pts/8' }), 'no'],
  ['git waiting for its editor', proc(61, 0, { 0: PTS }), 'child'],
])('x64: %s', (_, p, verdict) => {
  expect(judgeProcess(p, PTS, x64!)).toBe(verdict);
});

it('uses the arm64 numbers on arm64', () => {
  expect(judgeProcess(proc(63, 0, { 0: PTS }), PTS, arm64!)).toBe('terminal');
  expect(judgeProcess(proc(0, 0, { 0: PTS }), PTS, arm64!)).toBe('no');
  expect(syscallTable('ia32')).toBeNull();
});

it.each([
  ['0 0x3 0x7ffd 0x1 0x0 0x0 0x0 0x7ffd 0x7f12', { syscall: 0, arg0: 3 }],
  ['270 0x1 0x55aaf8919600 0x0 0x0 0x0 0x0 0x7ffc 0x7f', { syscall: 270, arg0: 1 }],
  ['running', { syscall: null, arg0: null }],
  ['-1 0x7ffd 0x7f', { syscall: null, arg0: null }],
  ['', { syscall: null, arg0: null }],
])('parses /proc/PID/syscall %j', (text, want) => {
  expect(parseSyscall(text)).toEqual(want);
});

// A process we may not inspect (setuid sudo): judged from its state and the terminal's modes.
// c_lflag as Linux sets it: ECHO 0o10, ICANON 0o2 (sudo's prompt: -echo icanon).
it.each([
  ['sudo asleep at its prompt (-echo icanon)', 'S', 0o2, true],
  ['sudo running (busy) with echo off', 'R', 0o2, false],
  ['asleep with echo on (a command sudo runs)', 'S', 0o12, false],
  ['asleep in raw mode (-echo -icanon: a full-screen program)', 'S', 0, false],
  ['modes unknown (no addon)', 'S', null, false],
  ['gone', null, 0o2, false],
] as const)('%s', (_what, state, lflag, expected) => {
  expect(hiddenPasswordWait(state, lflag)).toBe(expected);
});
