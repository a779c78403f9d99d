// The single binary's daemon keeps its timers after an idle start. Its startup snapshot once held
// Node's timer bookkeeping from a timer made at build time (cli/exec-warmup.ts), and a process
// restored from it could not arm a timer first made ~10 s after its start: a daemon first used
// after an idle start then fired no timer at all, so every `timeout` was ignored (a `run` of
// `sleep 10` with timeout 3 came back "done" after 10 s; sudo's prompt never came back). The
// JavaScript daemon (bin/pty-relay) the other tests use has no snapshot and never showed it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUILT_BINARY, serveBinary } from '../helpers/binary';
import { connectMcp, type McpSession } from '../helpers/mcp';

// Past the 10 s after which the first timer of a process restored from the old snapshot was lost.
const IDLE_START_MS = 12_000;

let dir: string;
let port = 0;
let started = 0;
let stop: () => Promise<void> = async () => undefined;
let m: McpSession;
beforeAll(async () => {
  if (!fs.existsSync(BUILT_BINARY)) throw new Error('dist/pty-relay is missing: run `make binary` (make test does)');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-timers-'));
  const served = await serveBinary(BUILT_BINARY, dir);
  started = Date.now(); // once it listens: the idle time counted from here is at least as long
  port = served.port;
  stop = async () => {
    // A daemon without timers never finished its graceful shutdown either.
    expect(await served.stop()).toBe(0);
  };
}, 30_000);
afterAll(async () => {
  await m?.close();
  await stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('honours a timeout when its first request comes after an idle start', async () => {
  // The precondition is the idle start itself: nothing is asked of the daemon until then.
  await new Promise((r) => setTimeout(r, Math.max(0, started + IDLE_START_MS - Date.now())));
  m = await connectMcp(BUILT_BINARY, ['mcp', '--port', String(port)]);
  const r = await m.call('run', { command: 'sleep 8; echo late', timeout: 1, session: 'idle' });
  expect(r.structured).toMatchObject({ state: 'running', job: 1 });
  expect(r.text).not.toMatch(/late/);
  const k = await m.call('kill', { session: 'idle', job: 1 });
  expect(k.structured).toMatchObject({ state: 'done' });
}, 60_000);
