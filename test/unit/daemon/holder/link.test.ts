// The daemon's link to a real session holder (dist/native/pty-relay-holder): what the holder kept
// while no daemon was connected reaches the next daemon, including output that arrived in the
// same instant as that daemon's connection.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { HolderLink } from '../../../../src/daemon/holder/link';
import { holderProgram } from '../../../../src/daemon/holder/spawn';
import { waitFor, within } from '../../../helpers/deadline';

let dir: string;
const started: number[] = []; // holders and their programs, by pid

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

// A holder (in `dir`, a new one unless given) whose program answers each line `L` it reads with
// "got-L" and then a file done-L. Resolves once it said ready.
async function startHolder(inDir?: string): Promise<{ sock: string; pid: number; program: number; exited: Promise<number | null> }> {
  dir = inDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-holder-'));
  const sock = path.join(dir, 'holder.sock');
  const file = holderProgram();
  if (file === null) throw new Error('no holder program: run make build');
  const script = 'while read -r l; do echo "got-$l"; : > "$D/done-$l"; done';
  const holder = spawn(file, [sock, '65536', '0', '80', '24', dir, '--', 'bash', '-c', script], { env: { ...process.env, D: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(holder.pid as number);
  const exited = new Promise<number | null>((resolve) => holder.on('exit', (code) => resolve(code)));
  let out = '';
  holder.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const program = await waitFor('the holder to say ready', () => Number(/^ready (\d+)\n/.exec(out)?.[1]) || undefined);
  started.push(program);
  return { sock, pid: holder.pid as number, program, exited };
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
  const next = HolderLink.connectAsync(sock, 10_000, pid);
  await waitFor('the next daemon to wait for the holder', () => (waiting(sock) ? true : undefined));
  process.kill(pid, 'SIGCONT');
  const second = await next;
  const kept = (await second.takeBuffered()).toString('latin1');
  expect(kept).toContain('got-b\r\n');
  fs.closeSync(first.master);
  fs.closeSync(second.master);
  second.release();
});

it("leaves, as it ends, a newer holder's socket at its path", async () => {
  const old = await startHolder();
  const link = HolderLink.connect(old.sock, 10_000);
  // The session starts again in the same directory while the old holder is still there: its
  // daemon removes the old path and a new holder binds it.
  fs.rmSync(old.sock);
  const young = await startHolder(dir);
  const bound = fs.statSync(young.sock).ino;
  link.hangup();
  link.release();
  fs.closeSync(link.master);
  expect(await old.exited).toBe(0);
  expect(fs.statSync(young.sock).ino).toBe(bound);
  const again = HolderLink.connect(young.sock, 10_000);
  expect(again.hello.pid).toBe(young.program);
  fs.closeSync(again.master);
  again.release();
});

it('stops waiting for a holder that ended before it listened, at once', async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-holder-'));
  // A holder killed as it started (its session went meanwhile): it never binds its socket.
  const never = spawn('sleep', ['600'], { stdio: 'ignore' });
  started.push(never.pid as number);
  const gone = new Promise((resolve) => never.on('exit', resolve));
  never.kill('SIGKILL');
  await gone;
  // Ten minutes allowed for it to listen; the answer comes as soon as it is known not to.
  const r = HolderLink.connectAsync(path.join(dir, 'holder.sock'), 600_000, never.pid as number);
  await expect(within('the connect to give up', r, 30_000)).rejects.toThrow(/the holder ended before it listened/);
});

it('never takes another holder that listens at the path, and that holder keeps its daemon', async () => {
  const { sock, pid } = await startHolder();
  const first = HolderLink.connect(sock, 10_000);
  const status = new Promise<number | null>((resolve) => first.onExit(resolve));
  // A start that waits for the holder it spawned (here: this test process) finds another one
  // there; frozen, that holder cannot answer before the connection is let go.
  process.kill(pid, 'SIGSTOP');
  await waitFor('the holder to stop', () => (stateOf(pid) === 'T' ? true : undefined));
  await expect(HolderLink.connectAsync(sock, 10_000, process.pid)).rejects.toThrow(/another holder listens at that path/);
  process.kill(pid, 'SIGCONT');
  await waitFor('the holder to take the connection that was let go', () => (waiting(sock) ? undefined : true));
  // Still the first daemon's: it hears the program's end.
  first.hangup();
  expect(await within('the exit status', status, 30_000)).not.toBeNull();
  fs.closeSync(first.master);
  first.release();
});
