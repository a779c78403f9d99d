// The attach protocol against the built daemon, frame by frame: resume, gaps, input once, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType, MAX_FRAME_BYTES } from '../../src/protocol/frame';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { within } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';

let d: TestDaemon;
let bystanders = 0;
beforeAll(async () => {
  d = await startDaemon({ args: ['--ring-bytes', '16k'], env: { PTY_RELAY_HEARTBEAT_MS: '300' } });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

// Attaches fresh; resolves to the client and the offset its output starts at.
async function attachFresh(session: string, clientId = 'c1'): Promise<{ c: FrameClient; start: number }> {
  const c = new FrameClient(d.port);
  c.hello();
  c.attach(session, null, { clientId });
  const screen = await c.waitFrame(FrameType.SCREEN);
  const attached = await c.waitFrame(FrameType.ATTACHED);
  expect(attached.body.offset).toBe(screen.offset);
  return { c, start: screen.offset };
}

describe('resume', () => {
  it('replays exactly the bytes missed while disconnected, nothing lost or repeated', async () => {
    const { c, start } = await attachFresh('resume');
    await nc(d.port, '#!session resume\nfor i in $(seq 1 50); do echo "before-$i"; done\n');
    await c.waitOutput(start, /before-50\r\n/);
    const seen = c.end(start);
    c.socket.destroy();
    await c.closed;
    await nc(d.port, '#!session resume\nfor i in $(seq 1 100); do echo "during-$i"; done\n');
    const c2 = new FrameClient(d.port);
    c2.hello();
    c2.attach('resume', seen);
    expect((await c2.waitFrame(FrameType.ATTACHED)).body.offset).toBe(seen);
    const replay = await c2.waitOutput(seen, /during-100\r\n/);
    expect(c2.frames.some((f) => f.type === FrameType.SCREEN || f.type === FrameType.GAP)).toBe(false);
    const all = c.output(start).slice(0, seen - start) + replay;
    const count = (word: string): number => all.match(new RegExp(`(?<![\\w-])${word}\r\n`, 'g'))?.length ?? 0;
    for (let i = 1; i <= 50; i++) expect(count(`before-${i}`)).toBe(1);
    for (let i = 1; i <= 100; i++) expect(count(`during-${i}`)).toBe(1);
    c2.socket.destroy();
  });

  it('says how many bytes were lost when they left the ring, then continues from the oldest', async () => {
    const { c, start } = await attachFresh('gap');
    const seen = c.end(start);
    c.socket.destroy();
    await nc(d.port, '#!session gap\nseq 1 20000\n'); // ~110 KB, far more than the 16 KB ring
    const c2 = new FrameClient(d.port);
    c2.hello();
    c2.attach('gap', seen);
    const gap = await c2.waitFrame(FrameType.GAP);
    expect(gap.body.from).toBe(seen);
    expect(gap.body.to - gap.body.from).toBeGreaterThan(90_000);
    const rest = await c2.waitOutput(gap.body.to, /\r\n20000\r\n/);
    // All of seq's output was in the ring before the reattach (nc returned once it ended), so what
    // came of it is the ring's newest bytes; the prompt after it may come from the ring or live.
    const kept = rest.slice(0, rest.indexOf('\r\n20000\r\n') + '\r\n20000\r\n'.length);
    expect(kept.length).toBeGreaterThan(15_000);
    expect(kept.length).toBeLessThanOrEqual(16 * 1024);
    c2.socket.destroy();
  });
});

describe('input', () => {
  it('applies resent input exactly once', async () => {
    const { c, start } = await attachFresh('input', 'typist');
    c.send({ type: FrameType.INPUT, offset: 0, data: Buffer.from('echo one-$((1))\r') });
    await c.waitOutput(start, /one-1\r\n/);
    // A reconnecting client resends from an older offset: the overlap must be skipped.
    c.send({ type: FrameType.INPUT, offset: 0, data: Buffer.from('echo one-$((1))\recho two-$((2))\r') });
    await c.waitOutput(start, /two-2\r\n/);
    const out = c.output(start);
    expect(out.split('one-1\r\n').length).toBe(2);
    expect(out.split('two-2\r\n').length).toBe(2);
    c.socket.destroy();
  });

  it('ignores input from a read-only observer', async () => {
    const { c: w, start } = await attachFresh('ro', 'writer');
    const r = new FrameClient(d.port);
    r.hello();
    r.attach('ro', null, { clientId: 'reader', readOnly: true });
    await r.waitFrame(FrameType.SCREEN);
    r.send({ type: FrameType.INPUT, offset: 0, data: Buffer.from('touch /tmp/never-$((7))\r') });
    w.send({ type: FrameType.INPUT, offset: 0, data: Buffer.from('echo marker-$((8))\r') });
    const out = await w.waitOutput(start, /marker-8\r\n/);
    expect(out).not.toContain('never');
    w.socket.destroy();
    r.socket.destroy();
  });
});

describe('bad clients', () => {
  it.each([
    ['a wrong protocol version', (c: FrameClient) => c.hello(99), 'PR_ERR_VERSION'],
    ['a first frame that is not HELLO', (c: FrameClient) => c.send({ type: FrameType.PING, body: { id: 1 } }), 'PR_ERR_PROTOCOL'],
    ['garbage after a valid prefix', (c: FrameClient) => (c.hello(), c.raw(Buffer.from('\x00\x02{not json at all'))), null],
    ['random bytes after the magic', (c: FrameClient) => c.raw(Buffer.from([0, 0xee, 1, 2, 3])), 'PR_ERR_FRAME_TYPE'],
    ['an oversize frame', (c: FrameClient) => (c.hello(), c.raw(Buffer.from([0, FrameType.INPUT, 0x7f, 0, 0, 0]))), 'PR_ERR_FRAME_SIZE'],
    ['an attach to a missing session without create', (c: FrameClient) => (c.hello(), c.attach('missing', null, { create: false })), 'PR_ERR_NO_SESSION'],
    ['an invalid session name', (c: FrameClient) => (c.hello(), c.attach('../x', null)), 'PR_ERR_SESSION_NAME'],
  ] as const)('answers %s with an error frame and a close, and hurts no one else', async (_, act, code) => {
    const { c: good, start } = await attachFresh('bystander', `bystander-${++bystanders}`);
    const bad = new FrameClient(d.port);
    act(bad);
    await within('the bad client to be closed', bad.closed, 10_000);
    const err = bad.frames.find((f) => f.type === FrameType.ERROR);
    expect(err).toBeDefined();
    if (code !== null && err?.type === FrameType.ERROR) expect(err.body.code).toBe(code);
    good.send({ type: FrameType.INPUT, offset: 0, data: Buffer.from(`echo still-fine-${Date.now() % 1000}-$((4*4))\r`) });
    await good.waitOutput(start, /still-fine-\d+-16\r\n/);
    good.socket.destroy();
    await good.closed;
  });

  it('drops a peer that goes silent (no pings) within three heartbeat intervals', async () => {
    const c = new FrameClient(d.port, false);
    c.hello();
    c.attach('silent', null);
    await c.waitFrame(FrameType.SCREEN);
    await within('the daemon to drop the silent peer', c.closed, 5_000);
    await d.waitLog('attach.timeout');
  });

  it('keeps a peer that pings', async () => {
    const { c } = await attachFresh('pinging');
    await c.waitFrame(FrameType.PONG, (f) => f.body.id >= 12, 10_000);
    expect(c.socket.destroyed).toBe(false);
    c.socket.destroy();
  });

  it('uses a frame limit well above what clients send', () => {
    expect(MAX_FRAME_BYTES).toBe(1024 * 1024);
  });
});
