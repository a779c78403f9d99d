// The event stream end to end: `pty-relay events --json` across sessions, the `serve --on-event`
// hook (a receiver script, a hook that hangs, one that fails), a reader that stops reading, and a
// program session imitating an AI CLI (test/fixtures/ai-cli.js). Real daemon, real clients.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../src/protocol/events';
import { FrameType } from '../../src/protocol/frame';
import { execOver, nc, run } from '../helpers/clients';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { startReader } from '../helpers/events';
import { FrameClient } from '../helpers/frames';

const TYPES = ['session-started', 'session-ended', 'job-started', 'job-finished', 'input', 'bell', 'client-attached', 'client-detached', 'dropped'];
const FIXTURE = path.join(ROOT, 'test/fixtures/ai-cli.js');

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const relay = (args: string[]): ReturnType<typeof run> => run([process.execPath, RELAY_BIN, ...args, '--port', String(d.port)], '');
const of = (events: RelayEvent[], session: string, type: string): RelayEvent[] => events.filter((e) => e.session === session && e.type === type);

describe('pty-relay events --json', () => {
  it('streams a failed job, a read -p prompt, a bell and a session end across two sessions', async () => {
    const all = await startReader(d, 'events', ['--json']);
    const onlyA = await startReader(d, 'events', ['--json', '-s', 'ev-a']);
    try {
      expect((await nc(d.port, '#!session ev-a\nsh -c "exit 3"\n')).stdout).toMatch(/exit status 3/);
      const asked = await nc(d.port, '#!session ev-b\n#!interactive\nread -p "name? " who; echo "hi $who"\n');
      expect(asked.stdout).toMatch(/waiting for input/);
      const input = await all.waitEvent('the input event', (e) => e.type === 'input' && e.session === 'ev-b');
      expect(input).toMatchObject({ type: 'input', session: 'ev-b', prompt: 'name?', echoOff: false, fullScreen: false });
      const sent = (await nc(d.port, '#!session ev-b\n#!send bob\\n\n')).stdout;
      expect(sent + (await nc(d.port, '#!session ev-b\n#!wait\n')).stdout).toContain('hi bob');
      expect((await nc(d.port, "#!session ev-a\nprintf 'ring\\a\\n'\n")).stdout).toContain('ring');
      await all.waitEvent('the bell', (e) => e.type === 'bell' && e.session === 'ev-a');
      expect((await relay(['kill', 'ev-b'])).code).toBe(0);
      await all.waitEvent('ev-b ended', (e) => e.type === 'session-ended' && e.session === 'ev-b');
      await onlyA.waitEvent('the bell, filtered', (e) => e.type === 'bell');

      const ev = all.events;
      for (const e of ev) {
        expect(TYPES).toContain(e.type);
        expect(Number.isNaN(Date.parse(e.time))).toBe(false);
      }
      expect(of(ev, 'ev-a', 'session-started')[0]).toMatchObject({ command: expect.stringContaining('bash'), program: false });
      const failed = of(ev, 'ev-a', 'job-finished')[0];
      expect(failed).toMatchObject({ type: 'job-finished', session: 'ev-a', command: 'sh -c "exit 3"', origin: 'exec', state: 'done', status: 3 });
      expect(failed?.type === 'job-finished' && failed.durationMs >= 0).toBe(true);
      expect(of(ev, 'ev-b', 'job-finished')[0]).toMatchObject({ status: 0, command: 'read -p "name? " who; echo "hi $who"' });
      expect(input.type === 'input' && input.job).toBe((of(ev, 'ev-b', 'job-started')[0] as { job: number }).job);
      expect(of(ev, 'ev-b', 'session-ended')[0]).toMatchObject({ reason: 'killed' });
      // The one bell is the printf's: readline's bell at the relay's own request line is not one.
      const bells = of(ev, 'ev-a', 'bell');
      expect(bells).toHaveLength(1);
      const printfStarted = of(ev, 'ev-a', 'job-started').find((e) => e.type === 'job-started' && e.command.startsWith('printf'));
      expect(ev.indexOf(bells[0] as RelayEvent)).toBeGreaterThan(ev.indexOf(printfStarted as RelayEvent));
      expect(onlyA.events.length).toBeGreaterThan(0);
      expect(onlyA.events.every((e) => e.session === 'ev-a')).toBe(true);
    } finally {
      await all.stop();
      await onlyA.stop();
    }
  });

  it('refuses an unknown filter and a bad session name before connecting', async () => {
    const r = await relay(['events', '--filter', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown event filter "nonsense"');
    expect((await relay(['events', '-s', 'bad name'])).code).toBe(2);
  });

  it('keeps exec fast for a reader that stops reading: its events are dropped, then it hears how many', async () => {
    // Over the unix socket, whose buffers (no autotuning) fill after a few hundred small frames.
    const sock = path.join(d.runtime, 'relay.sock');
    const session = `slow-${'s'.repeat(59)}`; // 64 characters: bigger events fill buffers sooner
    const c = new FrameClient(sock);
    try {
      c.hello();
      await c.waitFrame(FrameType.HELLO);
      const subscribed = d.logs.filter((l) => l.evt === 'events.subscribed').length;
      c.send({ type: FrameType.REQUEST, body: { op: 'events', session } });
      await waitFor('subscribed', () => (d.logs.filter((l) => l.evt === 'events.subscribed').length > subscribed ? true : undefined));
      c.socket.pause(); // the reader stops reading; its pings go on
      // Each exec job is two events; past the socket's buffers the queue (256) fills, then drops.
      const exec = (text: string): Promise<string> => execOver(() => net.connect({ path: sock }), `#!session ${session}\n${text}`);
      let jobs = 0;
      for (; jobs < 2000 && d.logs.find((l) => l.evt === 'events.dropping' && l.session === session) === undefined; jobs++) {
        expect(await exec(`true # ${'x'.repeat(50)}\n`)).toBe('');
      }
      expect(jobs).toBeLessThan(2000);
      c.socket.resume();
      const dropped = await c.waitFrame(FrameType.EVENT, (f) => f.body.type === 'dropped');
      expect(dropped.body.type === 'dropped' && dropped.body.count).toBeGreaterThan(0);
      // Caught up: new events flow again, after the notice.
      expect(await exec('echo after-the-gap\n')).toBe('after-the-gap\n');
      const after = await c.waitFrame(FrameType.EVENT, (f) => f.body.type === 'job-started' && f.body.command === 'echo after-the-gap');
      expect(c.frames.indexOf(after)).toBeGreaterThan(c.frames.indexOf(dropped));
    } finally {
      c.socket.destroy();
    }
  });
});

describe('program sessions', () => {
  it('raises "waiting for input" once per question of an AI-CLI-like program, not on its redraws or keystrokes', async () => {
    const state = path.join(d.home, 'ai-state');
    const r = await startReader(d, 'events', ['--json', '-s', 'ai']);
    let c: FrameClient | null = null;
    try {
      expect((await run([process.execPath, RELAY_BIN, 'new', 'ai', '--port', String(d.port), '--', process.execPath, FIXTURE, state], '')).code).toBe(0);
      await r.waitEvent('the first question', (e) => e.type === 'input');
      const stateIs = (re: RegExp): Promise<string> => waitFor(`state ${re}`, () => {
        const s = fs.existsSync(state) ? fs.readFileSync(state, 'utf8') : '';
        return re.test(s) ? s : undefined;
      });
      await stateIs(/^q1 redraws=[3-9]/); // it redrew its box three times while waiting
      c = new FrameClient(d.port); // pings from the start: made just before its HELLO
      c.hello();
      await c.waitFrame(FrameType.HELLO);
      c.attach('ai', null);
      await c.waitFrame(FrameType.ATTACHED);
      // Typed key by key, with redraws in between: still the same question.
      let at = 0;
      for (const key of ['y', 'e', 's']) {
        c.send({ type: FrameType.INPUT, offset: at++, data: Buffer.from(key) });
        const shown = await stateIs(new RegExp(`^q1 redraws=(\\d+) answer=${'yes'.slice(0, at)}$`));
        const redraws = Number(/redraws=(\d+)/.exec(shown)?.[1]);
        await stateIs(new RegExp(`^q1 redraws=${redraws + 1} `));
      }
      c.send({ type: FrameType.INPUT, offset: at++, data: Buffer.from('\r') });
      await stateIs(/^q2 redraws=[2-9]/);
      await r.waitEvent('the second question', (e) => e.type === 'input' && r.events.filter((x) => x.type === 'input').length === 2);
      c.send({ type: FrameType.INPUT, offset: at++, data: Buffer.from('no\r') });
      const ended = await r.waitEvent('the program ended', (e) => e.type === 'session-ended');
      expect(ended).toMatchObject({ reason: 'exited', status: 0 });
      const inputs = r.events.filter((e) => e.type === 'input');
      expect(inputs).toHaveLength(2);
      expect(inputs[0]).toMatchObject({ session: 'ai', job: null, fullScreen: false, echoOff: false });
      expect(inputs.map((e) => (e.type === 'input' ? e.prompt : ''))).toEqual([expect.stringMatching(/^\(waiting \d+ s\) >/), expect.stringMatching(/^\(waiting \d+ s\) >/)]);
      expect(r.events.filter((e) => e.type === 'client-attached')).toHaveLength(1);
    } finally {
      c?.socket.destroy();
      await r.stop();
    }
  });
});

describe('pty-relay notify', () => {
  it('runs the notifier command with a title and body for a failure and an input wait', async () => {
    const at = fs.mkdtempSync(path.join(d.home, 'notify-'));
    const stand = path.join(at, 'notifier.sh');
    fs.writeFileSync(stand, `#!/bin/sh\nprintf '%s|%s\\n' "$1" "$2" >> ${at}/args.txt\ncat >> ${at}/stdin.txt\n`, { mode: 0o755 });
    const r = await startReader(d, 'notify', ['-s', 'nt', '--command', stand, '--filter', 'input,failed']);
    try {
      expect((await nc(d.port, '#!session nt\nsh -c "exit 3"\n')).stdout).toMatch(/exit status 3/);
      expect((await nc(d.port, '#!session nt\ntrue\n')).stdout).toBe('');
      expect((await nc(d.port, '#!session nt\n#!interactive\nread -p "Proceed? " a\n')).stdout).toMatch(/waiting for input/);
      const args = await waitFor('two notifications', () => {
        const l = fs.existsSync(path.join(at, 'args.txt')) ? fs.readFileSync(path.join(at, 'args.txt'), 'utf8').trimEnd().split('\n') : [];
        return l.length >= 2 ? l : undefined;
      });
      await nc(d.port, '#!session nt\n#!send y\\n\n');
      expect(args[0]).toMatch(/^nt: job \d+ failed \(status 3\) after \d+ s\|sh -c "exit 3"$/);
      expect(args[1]).toBe('nt: waiting for input|Proceed?');
      expect(args).toHaveLength(2);
      const stdin = fs.readFileSync(path.join(at, 'stdin.txt'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as RelayEvent);
      expect(stdin.map((e) => e.type)).toEqual(['job-finished', 'input']);
    } finally {
      await r.stop();
    }
  });

  it('prints OSC 9 and OSC 777 notifications with --osc', async () => {
    const r = await startReader(d, 'notify', ['-s', 'osc', '--osc', '--filter', 'failed']);
    try {
      expect((await nc(d.port, '#!session osc\nsh -c "exit 9"\n')).stdout).toMatch(/exit status 9/);
      const out = await waitFor('the escapes', () => (r.stdout().includes('\x1b]777;') ? r.stdout() : undefined));
      expect(out).toMatch(/^\x1b\]9;osc: job \d+ failed \(status 9\) after \d+ s: sh -c "exit 9"\x07\x1b\]777;notify;osc: job \d+ failed \(status 9\) after \d+ s;sh -c "exit 9"\x07$/);
    } finally {
      await r.stop();
    }
  });
});
