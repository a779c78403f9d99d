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
// that session's directory), says it is waiting and then waits for the gate (30 s at most)
// before it runs the real holder.
beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-gated-'));
  const dist = path.join(ROOT, 'dist');
  fs.mkdirSync(path.join(copy, 'native'));
  for (const f of ['main.js', 'mirror-worker.js']) fs.copyFileSync(path.join(dist, f), path.join(copy, f));
  for (const f of fs.readdirSync(path.join(dist, 'native')).filter((n) => n.endsWith('.node'))) fs.copyFileSync(path.join(dist, 'native', f), path.join(copy, 'native', f));
  const gate = `case "$(basename "$(readlink /proc/$$/cwd)")" in slow)
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
