// Finding 3 (issue 20): `pty-relay mcp` trusted whatever socket it found. Another local user who
// creates /tmp/pty-relay-UID first (the place the daemon uses without XDG_RUNTIME_DIR, as under
// `ssh server pty-relay mcp`) would receive `#!auth SECRET` and every command. Now a candidate
// is taken only when its directory and socket are ours, and every client checks the listener's
// uid (SO_PEERCRED) after connecting, before it sends a byte.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { connectMcp } from '../helpers/mcp';
import { addOtherUser, squat, type OtherUser, type Squatter } from '../helpers/other-user';

const SECRET = `trust-secret-${process.pid}`;
const UID = process.getuid!();
let other: OtherUser;
let tmp: string; // this test's TMPDIR: sticky and world-writable, as /tmp is

beforeAll(() => {
  other = addOtherUser('st');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-trust-'));
  fs.chmodSync(tmp, 0o1777);
});
afterAll(() => {
  other.remove();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('another user who made /tmp/pty-relay-UID first', () => {
  let planted: string;
  let sq: Squatter;
  let d: TestDaemon;
  beforeAll(async () => {
    const dir = path.join(tmp, `pty-relay-${UID}`);
    await other.run(['mkdir', '-m', '0700', dir]);
    expect(fs.lstatSync(dir).uid).toBe(other.uid);
    planted = path.join(dir, 'relay.sock');
    sq = await squat(other, planted);
    // Our real daemon, reachable through its own socket named by PTY_RELAY_RUNTIME_DIR.
    d = await startDaemon();
  });
  afterAll(async () => {
    await sq.stop();
    await d.stop();
  });

  // `ssh server pty-relay mcp`: no XDG_RUNTIME_DIR, TMPDIR where the other user planted a socket.
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({ TMPDIR: tmp, PTY_RELAY_SECRET: SECRET, ...extra });

  it('pty-relay mcp passes over the planted socket, says so, and sends it nothing', async () => {
    const fallback = await connectMcp(process.execPath, [RELAY_BIN, 'mcp'], { env: env() });
    try {
      expect(fallback.stderr()).toContain(`pty-relay mcp: not using ${planted}: ${path.dirname(planted)} belongs to uid ${other.uid}, not to you (uid ${UID})`);
      expect(fallback.stderr()).toMatch(/pty-relay mcp: the local daemon is (localhost:9998 \(no unix socket of yours found\)|unix:\/run\/user\/)/);
      const r = await fallback.call('run', { command: 'echo forged?' });
      expect(r.text).not.toContain('forged?');
    } finally {
      await fallback.close();
    }
    expect(sq.received()).toBe(0);
  });

  it('pty-relay mcp takes the daemon socket of ours that it finds first, and says which', async () => {
    const m = await connectMcp(process.execPath, [RELAY_BIN, 'mcp'], { env: env({ PTY_RELAY_RUNTIME_DIR: d.runtime, PTY_RELAY_SECRET: '' }) });
    try {
      expect(m.stderr()).toContain(`pty-relay mcp: the local daemon is unix:${path.join(d.runtime, 'relay.sock')}`);
      const r = await m.call('run', { command: 'echo via-our-socket-$((6*7))' });
      expect(r.text).toContain('via-our-socket-42');
    } finally {
      await m.close();
    }
  });

  it('a socket of another user moved into a directory of ours is refused after connecting (SO_PEERCRED)', async () => {
    // The lstat checks pass (our 0700 directory, a socket file we own), yet the process listening
    // on it is the other user's: only the kernel's record of the listener tells.
    const ours = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-ours-'));
    const inner = path.join(tmp, `moved-${process.pid}`);
    await other.run(['mkdir', '-m', '0755', inner]);
    const sq2 = await squat(other, path.join(inner, 'relay.sock'));
    try {
      fs.renameSync(path.join(inner, 'relay.sock'), path.join(ours, 'relay.sock'));
      execFileSync('chown', [String(UID), path.join(ours, 'relay.sock')]);
      fs.chmodSync(path.join(ours, 'relay.sock'), 0o600);
      expect(fs.lstatSync(path.join(ours, 'relay.sock')).uid).toBe(UID);
      const refused = new RegExp(`refusing unix:${path.join(ours, 'relay.sock')}: it is served by uid ${other.uid}, not you \\(uid ${UID}\\); nothing was sent`);
      const exec = await run([process.execPath, RELAY_BIN, 'exec', '--socket', path.join(ours, 'relay.sock'), '--', 'echo', 'x'], '', 30_000, { PTY_RELAY_SECRET: SECRET });
      expect(exec.stderr).toMatch(refused);
      expect(exec.code).toBe(255);
      const ls = await run([process.execPath, RELAY_BIN, 'ls', '--socket', path.join(ours, 'relay.sock')], '', 30_000, { PTY_RELAY_SECRET: SECRET });
      expect(ls.stderr).toMatch(refused);
      const m = await connectMcp(process.execPath, [RELAY_BIN, 'mcp'], { env: env({ PTY_RELAY_RUNTIME_DIR: ours }) });
      try {
        expect(m.stderr()).toContain(`the local daemon is unix:${path.join(ours, 'relay.sock')}`);
        const r = await m.call('run', { command: 'echo x' });
        expect(r.isError).toBe(true);
        expect(r.text).toMatch(refused);
      } finally {
        await m.close();
      }
      const doctor = await run([process.execPath, RELAY_BIN, 'doctor', '--server', '--runtime-dir', ours], '', 30_000, { PTY_RELAY_SECRET: SECRET });
      expect(doctor.stdout).toMatch(refused);
      expect(sq2.received()).toBe(0);
    } finally {
      await sq2.stop();
      fs.rmSync(ours, { recursive: true, force: true });
    }
  });
});
