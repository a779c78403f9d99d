// `serve --on-event`: a receiver script gets each event its filter lets through as JSON on stdin;
// a hook that hangs is killed (its whole process group) after its time limit and one that fails is
// logged, while the daemon keeps serving; past the rate limit events are dropped and logged. The
// logs name the event's type, never its text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../src/protocol/events';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';

let d: TestDaemon;
let dir: string;
const HOOK_TIMEOUT_S = 4;

// Records each event and the hook's PTY_RELAY_* environment; hangs or fails on a marker.
function receiver(at: string): string {
  const file = path.join(at, 'receiver.sh');
  fs.writeFileSync(
    file,
    `#!/bin/sh
ev=$(cat)
case "$ev" in
  *hang-me*) echo $$ > ${at}/hang.pid; sleep 1000 ;;
  *fail-me*) exit 7 ;;
esac
printf '%s\\n' "$ev" >> ${at}/events.jsonl
env | grep '^PTY_RELAY' | sort | tr '\\n' ' ' >> ${at}/env.txt; echo >> ${at}/env.txt
`,
    { mode: 0o755 },
  );
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync('/tmp/pty-relay-hook-');
  // PTY_RELAY_ON_EVENT_RATE is one of the daemon's own variables: it must not reach the hook.
  d = await startDaemon({ args: ['--on-event', receiver(dir), '--on-event-filter', 'input,failed,finished-after=30', '--on-event-timeout', String(HOOK_TIMEOUT_S)], env: { PTY_RELAY_ON_EVENT_RATE: '600' } });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

const lines = (f: string): string[] => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l !== '') : []);

describe('serve --on-event', () => {
  it('hands the receiver each event its filter lets through, as JSON on stdin', async () => {
    expect((await nc(d.port, '#!session hk\nsh -c "exit 3" # marker-c0ffee\n')).stdout).toMatch(/exit status 3/);
    expect((await nc(d.port, '#!session hk\ntrue\n')).stdout).toBe(''); // finished, but in no time
    expect((await nc(d.port, '#!session hk\n#!interactive\nread -p "code? " c\n')).stdout).toMatch(/waiting for input/);
    const got = await waitFor('two events received', () => {
      const l = lines(path.join(dir, 'events.jsonl'));
      return l.length >= 2 ? l.map((x) => JSON.parse(x) as RelayEvent) : undefined;
    });
    await nc(d.port, '#!session hk\n#!send 1\\n\n');
    const failed = got.find((e) => e.type === 'job-finished');
    expect(failed).toMatchObject({ session: 'hk', status: 3, state: 'done', command: 'sh -c "exit 3" # marker-c0ffee', origin: 'exec' });
    expect(got.find((e) => e.type === 'input')).toMatchObject({ session: 'hk', prompt: 'code?', echoOff: false });
    expect(got).toHaveLength(2);
    const env = lines(path.join(dir, 'env.txt'));
    expect(env).toContain('PTY_RELAY_EVENT_SESSION=hk PTY_RELAY_EVENT_TYPE=job-finished ');
    expect(env.join('\n')).not.toContain('PTY_RELAY_ON_EVENT_RATE');
    await d.waitLog('hook.ran', (l) => l.type === 'input');
    const ran = d.logs.filter((l) => l.evt === 'hook.ran');
    expect(ran.map((l) => l.type).sort()).toEqual(['input', 'job-finished']);
    expect(JSON.stringify(d.logs)).not.toContain('c0ffee');
  });

  it('kills a hook that hangs, logs one that fails, and keeps serving meanwhile', async () => {
    expect((await nc(d.port, '#!session hk2\nsh -c "exit 4" # hang-me\n')).stdout).toMatch(/exit status 4/);
    const pid = Number(await waitFor('the hanging hook', () => lines(path.join(dir, 'hang.pid'))[0]));
    const pgid = stat(pid).pgrp; // the hook's process group: /bin/sh -c, the script, its sleep
    expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(2);
    // While it hangs: an exec round trip, and another hook, which fails.
    expect((await nc(d.port, '#!session hk2\necho still-serving\n')).stdout).toBe('still-serving\n');
    expect(d.logs.find((l) => l.evt === 'hook.timeout')).toBeUndefined();
    expect((await nc(d.port, '#!session hk2\nsh -c "exit 5" # fail-me\n')).stdout).toMatch(/exit status 5/);
    expect(await d.waitLog('hook.failed')).toMatchObject({ type: 'job-finished', code: 7 });
    const timeout = await d.waitLog('hook.timeout', () => true, (HOOK_TIMEOUT_S + 10) * 1000);
    expect(timeout).toMatchObject({ type: 'job-finished', signal: 'SIGKILL', limitMs: HOOK_TIMEOUT_S * 1000 });
    // The hook's whole process group is gone (its `sleep 1000` too).
    await waitFor('the process group to end', () => (groupMembers(pgid).length === 0 ? true : undefined));
    expect((await nc(d.port, '#!session hk2\necho after\n')).stdout).toBe('after\n');
  });
});

describe('serve --on-event-rate', () => {
  it('drops events past the rate limit and logs it', async () => {
    const r = await startDaemon({ args: ['--on-event', 'cat >/dev/null', '--on-event-filter', 'failed', '--on-event-rate', '1'] });
    try {
      for (const n of [1, 2]) expect((await nc(r.port, `sh -c "exit ${n}"\n`)).stdout).toMatch(/exit status/);
      expect(await r.waitLog('hook.dropped')).toMatchObject({ type: 'job-finished', why: 'rate' });
      await r.waitLog('hook.ran');
      expect(r.logs.filter((l) => l.evt === 'hook.started')).toHaveLength(1);
    } finally {
      expect(await r.stop()).toBe(0);
    }
  });
});

// The process group of `pid` (-1 once it is gone).
function stat(pid: number): { pgrp: number } {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return { pgrp: Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]) };
  } catch {
    return { pgrp: -1 };
  }
}

// Live processes whose process group is `pgid` (zombies count as gone).
function groupMembers(pgid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n) && stat(Number(n)).pgrp === pgid)
    .map(Number)
    .filter((p) => !/\) Z /.test(fs.existsSync(`/proc/${p}/stat`) ? fs.readFileSync(`/proc/${p}/stat`, 'latin1') : ') Z '));
}
