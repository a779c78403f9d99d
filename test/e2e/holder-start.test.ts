// A session's holder that is slow to start holds up only its own session: the daemon connects to
// a new holder off its event loop (holder/link.ts connectAsync), so every other client is served
// meanwhile. A loaded machine may take seconds to run a new holder at all; here a copy of the
// build runs the real holder through a gate the test opens, so "slow" is an event, not a timing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nc, start } from '../helpers/clients';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';

let copy: string;
let d: TestDaemon | null = null;

// dist/ copied, with a pty-relay-holder that, for the session named "slow" (its holder runs in
// that session's directory; and "slow-2", "slow-3"), says it is waiting and then waits for the gate (30 s at most)
// before it runs the real holder.
beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-gated-'));
  const dist = path.join(ROOT, 'dist');
  fs.mkdirSync(path.join(copy, 'native'));
  for (const f of ['main.js', 'mirror-worker.js']) fs.copyFileSync(path.join(dist, f), path.join(copy, f));
  for (const f of fs.readdirSync(path.join(dist, 'native')).filter((n) => n.endsWith('.node'))) fs.copyFileSync(path.join(dist, 'native', f), path.join(copy, 'native', f));
  const gate = `case "$(basename "$(readlink /proc/$$/cwd)")" in slow|slow-2|slow-3)
  : > '${copy}/waiting'; i=0; while [ ! -e '${copy}/gate' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done;;
esac
exec '${path.join(dist, 'native', 'pty-relay-holder')}' "$@"
`;
  fs.writeFileSync(path.join(copy, 'native', 'pty-relay-holder'), `#!/bin/sh\n${gate}`, { mode: 0o755 });
});
afterAll(async () => {
  fs.writeFileSync(path.join(copy, 'gate'), ''); // a failed test leaves no holder waiting
  await d?.stop();
  fs.rmSync(copy, { recursive: true, force: true });
});

it('answers requests to other sessions while a new session waits for its holder, and then starts it', async () => {
  d = await startDaemon({ bin: path.join(copy, 'main.js'), env: { NODE_PATH: path.join(ROOT, 'node_modules') } });
  expect((await nc(d.port, 'echo first\n')).stdout).toBe('first\n');
  const slow = start(['nc.openbsd', '-N', '127.0.0.1', String(d.port)], '#!session slow\necho $$\n');
  await waitFor('the slow holder to wait at its gate', () => (fs.existsSync(path.join(copy, 'waiting')) ? true : undefined), 30_000);
  // The holder of "slow" has not even run yet: the default session answers all the same.
  expect((await nc(d.port, 'echo second\n')).stdout).toBe('second\n');
  expect(slow.out()).toBe('');
  expect(d.logs.some((l) => l.evt === 'session.spawned' && l.session === 'slow')).toBe(false);
  fs.writeFileSync(path.join(copy, 'gate'), '');
  const r = await slow.done;
  expect(r.stdout).toMatch(/^\d+\n$/);
  expect(d.logs.filter((l) => l.evt === 'session.spawn_failed')).toEqual([]);
});

// The processes running the holder binary whose directory is `dir` (a holder runs in its session's).
function holdersIn(dir: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (fs.readlinkSync(`/proc/${p}/cwd`) === dir && fs.readlinkSync(`/proc/${p}/exe`).endsWith('pty-relay-holder')) pids.push(Number(p));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

it('ends a holder that was still starting when the daemon was killed, and the session starts anew', async () => {
  if (d !== null) expect(await d.stop()).toBe(0);
  d = null;
  fs.rmSync(path.join(copy, 'gate'), { force: true });
  fs.rmSync(path.join(copy, 'waiting'), { force: true });
  const opts = { bin: path.join(copy, 'main.js'), env: { NODE_PATH: path.join(ROOT, 'node_modules') } };
  const d1 = await startDaemon(opts);
  d = d1;
  const slow = start(['nc.openbsd', '-N', '127.0.0.1', String(d1.port)], '#!session slow-2\necho $$\n');
  void slow.done.catch(() => undefined);
  await waitFor('the holder to wait at its gate', () => (fs.existsSync(path.join(copy, 'waiting')) ? true : undefined), 30_000);
  const sessionDir = (): string | undefined => fs.readdirSync(d1.runtime).map((i) => path.join(d1.runtime, i, 'slow-2')).find((p) => fs.existsSync(p));
  // Its journal is written (a session whose journal is not yet on disk is ended the same way).
  const dir = await waitFor('the journal', () => { const p = sessionDir(); return p !== undefined && fs.existsSync(path.join(p, 'state.json')) ? p : undefined; });
  await d1.crash();
  // The holder starts with no daemon to take it: it runs its shell and waits for one.
  fs.writeFileSync(path.join(copy, 'gate'), '');
  const orphan = await waitFor('the holder to listen', () => (fs.existsSync(path.join(dir, 'holder.sock')) && holdersIn(dir).length === 1 ? holdersIn(dir)[0] : undefined), 30_000);
  const d2 = await startDaemon({ ...opts, reuse: { home: d1.home, runtime: d1.runtime } });
  d = d2;

  await d2.waitLog('session.holder_unknown', (l) => l.session === 'slow-2' && l.journal === true);
  await waitFor('that holder to be gone', () => (holdersIn(dir).includes(orphan) ? undefined : true), 30_000);
  // Said once, as after a lost holder: the shell is new.
  const first = (await nc(d2.port, '#!session slow-2\necho $$\n')).stdout;
  expect(first).toMatch(/^pty-relay: the shell of session "slow-2" was lost while no daemon ran; this is a new shell[^\n]*\n\d+\n$/);
  const pid = /(\d+)\n$/.exec(first)?.[1] as string;
  // The new shell is held and recovered as any other, and a kill -9 right after that reply does
  // not have the next daemon say the notice again (the journal wrote it at once as said).
  await d2.crash();
  const d3 = await startDaemon({ ...opts, reuse: { home: d1.home, runtime: d1.runtime } });
  d = d3;
  expect((await nc(d3.port, '#!session slow-2\necho $$\n')).stdout).toBe(`${pid}\n`);
});

it('ends a session whose holder is still starting: its request is told, and the holder and its shell go once they run', async () => {
  if (d !== null) expect(await d.stop()).toBe(0);
  fs.rmSync(path.join(copy, 'gate'), { force: true });
  fs.rmSync(path.join(copy, 'waiting'), { force: true });
  const d1 = await startDaemon({ bin: path.join(copy, 'main.js'), env: { NODE_PATH: path.join(ROOT, 'node_modules') } });
  d = d1;
  const slow = start(['nc.openbsd', '-N', '127.0.0.1', String(d1.port)], '#!session slow-3\necho $$\n');
  await waitFor('the holder to wait at its gate', () => (fs.existsSync(path.join(copy, 'waiting')) ? true : undefined), 30_000);
  const dir = await waitFor('the session directory', () => fs.readdirSync(d1.runtime).map((i) => path.join(d1.runtime, i, 'slow-3')).find((p) => fs.existsSync(p)));
  expect((await nc(d1.port, '#!session slow-3\n#!end\n')).stdout).toBe('pty-relay: session "slow-3" ended, its shell and jobs with it (1 queued request not run)\n');
  const r = await slow.done;
  expect(r.stdout).toBe('pty-relay: session "slow-3" was ended with #!end before this request ran: it did not run; the next request that names "slow-3" starts a new session\n');
  // Its holder was killed at its gate; the daemon's connect that waited for it stopped then, so
  // the holder that the name's next session starts in the same directory is that session's own
  // (before, the stale connect took it over and hung it up: "the shell ended before its first prompt").
  fs.writeFileSync(path.join(copy, 'gate'), '');
  await waitFor('the holder to be gone', () => (holdersIn(dir).length === 0 && !fs.existsSync(path.join(dir, 'holder.sock')) ? true : undefined), 30_000);
  expect(shellsIn(dir)).toEqual([]);
  // The name starts a new session, whose shell answers.
  expect((await nc(d1.port, '#!session slow-3\necho fresh\n')).stdout).toMatch(/^pty-relay: session "slow-3" is new: the one before was ended with #!end at [^\n]*\nfresh\n$/);
});

// Processes whose command line names `dir` (the session's rc file is there): its shells.
function shellsIn(dir: string): number[] {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(`${dir}/rc-`) && !fs.readlinkSync(`/proc/${p}/exe`).endsWith('pty-relay-holder');
    } catch {
      return false;
    }
  });
}
