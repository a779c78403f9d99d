// The daemon's side of "who is on the other end" (issue 20): another user is refused on the unix
// socket too, should they ever be able to open it (findings 5: a custom --socket in a shared
// directory, or a umask that leaves it open), and another user's flood of refused connections
// does not spend the connection-rate bucket that the owner needs (finding 10).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { addOtherUser, type OtherUser } from '../helpers/other-user';

const UID = process.getuid!();
let other: OtherUser;
beforeAll(() => {
  other = addOtherUser('pu');
});
afterAll(() => other.remove());

describe('a unix socket that another user can open', () => {
  let d: TestDaemon;
  let shared: string;
  beforeAll(async () => {
    shared = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-shared-'));
    fs.chmodSync(shared, 0o755);
    d = await startDaemon({ args: ['--socket', path.join(shared, 'relay.sock')] });
    expect(await d.waitLog('server.peer_uid')).toMatchObject({ unix: 'peercred' });
    // What a umask of 000 or a lax directory gives: the file open to everyone.
    fs.chmodSync(path.join(shared, 'relay.sock'), 0o666);
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
    fs.rmSync(shared, { recursive: true, force: true });
  });

  it('refuses them by uid (SO_PEERCRED), and nothing runs', async () => {
    const marker = path.join(d.home, 'ran-via-unix');
    const r = await other.run(['nc.openbsd', '-N', '-U', path.join(shared, 'relay.sock')], `touch ${marker}\n`);
    expect(r.stdout).toBe(`pty-relay: error: connections from uid ${other.uid} are not allowed; this daemon serves uid ${UID} only\n`);
    expect(await d.waitLog('conn.refused', (l) => l.peer === 'unix' && l.uid === other.uid && l.reason === 'uid')).toBeDefined();
    expect(fs.existsSync(marker)).toBe(false);
    const mine = await run(['nc.openbsd', '-N', '-U', path.join(shared, 'relay.sock')], 'echo owner-$((2+2))\n');
    expect(mine.stdout).toBe('owner-4\n');
  });
});

describe("another user's flood of connections", () => {
  it('does not lock the owner out with "too many new connections"', async () => {
    // A low rate so that a short flood would drain the bucket many times over.
    const d = await startDaemon({ args: ['--connection-rate', '5'] });
    const stopDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-flood-'));
    fs.chmodSync(stopDir, 0o755); // the other user must see the stop file
    const stop = path.join(stopDir, 'stop');
    // Bounded in count (20000) and by the stop file; each iteration opens a connection in the same
    // shell (no fork), reads the refusal (so that the daemon sees a live socket to attribute) and
    // closes it: hundreds a second.
    const loop = `for ((i = 0; i < 20000; i++)); do [ -e ${stop} ] && break; { exec 3<>/dev/tcp/127.0.0.1/${d.port}; read -r -t 2 line <&3; } 2>/dev/null; exec 3>&-; done`;
    const flood = spawn('runuser', ['-u', other.name, '--', 'bash', '-c', loop], { stdio: 'ignore' });
    const floodDone = new Promise<void>((resolve) => flood.once('exit', () => resolve()));
    try {
      // Far past the bucket's burst (5): without the fix it is empty now, and stays so.
      await waitFor('200 refused connections', () => (d.logs.filter((l) => l.evt === 'conn.refused').length >= 200 ? true : undefined), 30_000);
      for (let i = 0; i < 3; i++) expect((await nc(d.port, `echo owner-in-${i}\n`)).stdout).toBe(`owner-in-${i}\n`);
      expect(d.logs.filter((l) => l.evt === 'conn.refused' && l.reason === 'rate')).toEqual([]);
      expect(d.logs.filter((l) => l.evt === 'conn.refused' && l.uid === other.uid).length).toBeGreaterThanOrEqual(200);
    } finally {
      fs.writeFileSync(stop, '');
      await floodDone;
      expect(await d.stop()).toBe(0);
    }
  });
});
