// The daemon's link to a real session holder (dist/native/pty-relay-holder): what the holder kept
// while no daemon was connected reaches the next daemon, including output that arrived in the
// same instant as that daemon's connection.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { HolderLink } from '../../../../src/daemon/holder/link';
import { holderProgram } from '../../../../src/daemon/holder/spawn';
import { waitFor } from '../../../helpers/deadline';

let dir: string;
let holder: ChildProcess | null = null;
let programPid = 0;

afterEach(() => {
  for (const pid of [programPid, holder?.pid ?? 0]) {
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  holder = null;
  programPid = 0;
  fs.rmSync(dir, { recursive: true, force: true });
});

// A holder whose program answers each line `L` it reads with "got-L" and then a file done-L.
async function startHolder(): Promise<{ sock: string; pid: number }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-holder-'));
  const sock = path.join(dir, 'holder.sock');
  const file = holderProgram();
  if (file === null) throw new Error('no holder program: run make build');
  const script = 'while read -r l; do echo "got-$l"; : > "$D/done-$l"; done';
  holder = spawn(file, [sock, '65536', '0', '80', '24', dir, '--', 'bash', '-c', script], { env: { ...process.env, D: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  holder.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  programPid = await waitFor('the holder to say ready', () => Number(/^ready (\d+)\n/.exec(out)?.[1]) || undefined);
  return { sock, pid: holder.pid as number };
}

const openFds = (pid: number): number => fs.readdirSync(`/proc/${pid}/fd`).length;
const stateOf = (pid: number): string => fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0] ?? '?';
// A connection waits in the listen queue of `sock`, not accepted yet: the kernel lists it with the
// listener's path and no inode (it has no socket of its own until accept()).
const waiting = (sock: string): boolean =>
  fs
    .readFileSync('/proc/net/unix', 'latin1')
    .split('\n')
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[7] === sock && f[6] === '0';
    });

it('gives the next daemon output that came while no daemon was connected, even in the instant it connects', async () => {
  const { sock, pid } = await startHolder();
  const first = HolderLink.connect(sock, 10_000);
  const connected = openFds(pid);
  // The daemon goes: once the holder closed its end, it reads the terminal itself.
  first.release();
  await waitFor('the holder to let go of the daemon', () => (openFds(pid) < connected ? true : undefined));
  // Frozen, the holder finds on waking both the program's output and the next daemon waiting:
  // the output came first, so it is part of what the holder kept for that daemon.
  process.kill(pid, 'SIGSTOP');
  await waitFor('the holder to stop', () => (stateOf(pid) === 'T' ? true : undefined));
  fs.writeSync(first.master, 'b\n');
  await waitFor('the program to answer', () => (fs.existsSync(path.join(dir, 'done-b')) ? true : undefined));
  const next = HolderLink.connectAsync(sock, 10_000);
  await waitFor('the next daemon to wait for the holder', () => (waiting(sock) ? true : undefined));
  process.kill(pid, 'SIGCONT');
  const second = await next;
  const kept = (await second.takeBuffered()).toString('latin1');
  expect(kept).toContain('got-b\r\n');
  fs.closeSync(first.master);
  fs.closeSync(second.master);
  second.release();
});
