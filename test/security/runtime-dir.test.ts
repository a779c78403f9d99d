// Findings 13 and 15 of issue 20, with a real second user. 13: another user who makes
// /tmp/pty-relay-UID first no longer stops the daemon: it falls back to a directory in our home
// (~/.local/state/pty-relay/run), and clients find it there. 15: a runtime directory whose parents
// someone else can write (not sticky), or that lies under another user's directory or symlink, is
// refused before anything is made in it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { collectLogs, RELAY_BIN } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';
import { SecondUser } from '../helpers/second-user';

const other = new SecondUser('rd');
const uid = process.getuid!();
let work: string;
let tmp: string; // a stand-in for /tmp (root's, 1777), so that no other test's real directory is touched
let home: string;

beforeAll(() => {
  other.create();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-rtdir-sec-'));
  fs.chmodSync(work, 0o755);
  tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  fs.chmodSync(tmp, 0o1777);
  home = path.join(work, 'home');
  fs.mkdirSync(home, { mode: 0o700 });
});
afterAll(() => {
  other.remove();
  fs.rmSync(work, { recursive: true, force: true });
});

const ENV = (): Record<string, string> => ({ PATH: process.env.PATH as string, HOME: home, TMPDIR: tmp, LANG: 'C.UTF-8' });

// `pty-relay serve` with `args`, until it listens (then stopped by its PID) or exits.
async function serve(args: string[]): Promise<{ listening: Record<string, unknown> | null; logs: Array<Record<string, unknown>>; stderr: string; code: number | null }> {
  const proc = spawn(process.execPath, [RELAY_BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV(), cwd: home });
  const { logs, stderr } = collectLogs(proc);
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  let ended = false;
  void exited.then(() => (ended = true));
  const listening = await waitFor('the daemon to listen or exit', () => logs.find((l) => l.evt === 'server.listening') ?? (ended ? null : undefined), 30_000);
  if (listening !== null) {
    // A client, with the same environment and no --runtime-dir, finds the daemon's directory and socket.
    const doctor = await run([process.execPath, RELAY_BIN, 'doctor', '--server'], '', 60_000, ENV());
    logs.push({ evt: 'test.doctor', out: doctor.stdout });
    proc.kill('SIGTERM');
  }
  const code = await within('the daemon to exit', exited, 20_000);
  return { listening, logs, stderr: stderr(), code };
}

describe('another user made /tmp/pty-relay-UID first (finding 13)', () => {
  it('the daemon falls back to ~/.local/state/pty-relay/run, says so, and clients find it there', async () => {
    const taken = other.dir(path.join(tmp, `pty-relay-${uid}`), 0o777);
    const fallback = path.join(home, '.local/state/pty-relay/run');
    const r = await serve([]);
    expect(r.stderr).toBe('');
    expect(r.logs.find((l) => l.evt === 'runtime.fallback')).toMatchObject({ dir: taken, next: fallback });
    expect(r.listening?.addresses).toContain(`unix:${fallback}/relay.sock`);
    expect(fs.statSync(fallback).mode & 0o777).toBe(0o700);
    const doctor = String(r.logs.find((l) => l.evt === 'test.doctor')?.out);
    expect(doctor).toContain(`checking this machine as the server (${fallback})`);
    expect(doctor).toMatch(new RegExp(`^ok +runtime-dir +${fallback} is yours and private \\(0700\\)$`, 'm'));
    expect(doctor).toMatch(new RegExp(`^ok +socket +${fallback}/relay.sock is yours and private \\(0600\\), and the daemon answers on it$`, 'm'));
    // Nothing of ours went into their directory.
    expect(fs.readdirSync(taken)).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe("a runtime directory's parents (finding 15)", () => {
  it.each([
    ['a directory everyone can write, not sticky', () => { fs.mkdirSync(path.join(work, 'shared'), { recursive: true }); fs.chmodSync(path.join(work, 'shared'), 0o777); return [path.join(work, 'shared'), 'is writable by others \\(mode 0777, not sticky\\)']; }],
    ['a directory of another user', () => [other.dir(path.join(work, 'theirs'), 0o755), `belongs to uid ${other.uid}`]],
    ['a symlink of another user', () => {
      fs.mkdirSync(path.join(work, 'mine'), { recursive: true, mode: 0o700 });
      other.exec(['ln', '-sfn', path.join(work, 'mine'), path.join(tmp, 'link')]);
      return [path.join(tmp, 'link'), `belongs to uid ${other.uid}`];
    }],
  ])('is refused under %s, before anything is made there', async (_, setUp) => {
    const [parent, why] = setUp() as [string, string];
    const rt = path.join(parent, 'rt');
    const r = await serve(['--runtime-dir', rt]);
    expect(r.listening).toBeNull();
    expect(r.stderr).toMatch(new RegExp(`^pty-relay: runtime directory ${rt} is inside ${parent}, which ${why}: another user could replace the runtime directory; pass --runtime-dir DIR under directories only you or root can write \\[PR_ERR_RUNTIME_DIR\\]`));
    expect(r.code).not.toBe(0);
    expect(fs.existsSync(rt)).toBe(false);
  });

  it('is accepted under a sticky directory everyone can write (like /tmp)', async () => {
    const rt = path.join(tmp, 'rt-ok');
    const r = await serve(['--runtime-dir', rt]);
    expect(r.listening?.addresses).toContain(`unix:${rt}/relay.sock`);
    expect(r.code).toBe(0);
  });
});
