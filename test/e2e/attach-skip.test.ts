// The "screen-skip" capability (the web page's): a client that falls behind the ring, once it has
// acknowledged what it was sent, gets a GAP for what it missed and a fresh SCREEN, never the stale
// bytes the ring still holds; and the session keeps running at full speed meanwhile.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FrameType } from '../../src/protocol/frame';
import { execFileSync } from 'node:child_process';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor, deadline } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ args: ['--ring-bytes', '64k'] });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

it('sends a lagging screen-skip client a GAP and a fresh screen instead of stale output', async () => {
  const c = new FrameClient(d.port, false); // no automatic acks: this client is "slow"
  c.send({ type: FrameType.HELLO, body: { proto: 1, caps: ['screen-skip', 'size'], agent: 'test' } });
  await c.waitFrame(FrameType.HELLO);
  c.attach('lag', null, { clientId: 'lag' });
  const first = await c.waitFrame(FrameType.SCREEN);
  c.send({ type: FrameType.ACK, body: { offset: first.offset } });
  // 2.1 MB of output: more than the 1 MiB window plus the 64 KiB ring. The client acknowledges
  // nothing until the command is done (the session is back at its prompt).
  c.send({ type: FrameType.INPUT, offset: 0, data: Buffer.from('seq 1 300000\r') });
  await waitFor('seq to finish', () => {
    const s = (JSON.parse(execFileSync(process.execPath, [RELAY_BIN, 'ls', '--json', '--port', String(d.port)], { encoding: 'utf8' })) as Array<{ name: string; bytes: number; state: string }>)[0];
    return s !== undefined && s.bytes > 2_000_000 && s.state === 'idle' ? true : undefined;
  }, deadline(60_000));
  // It was sent exactly its window (1 MiB) and then nothing more.
  const received = (): number => c.frames.reduce((n, f) => n + (f.type === FrameType.OUTPUT ? f.data.length : 0), 0);
  await waitFor('a full window of output', () => (received() === 1024 * 1024 ? true : undefined));
  const sent = received();
  expect(c.frames.some((f) => f.type === FrameType.GAP)).toBe(false);
  // It has drawn everything: acknowledge, and it jumps ahead.
  c.send({ type: FrameType.ACK, body: { offset: first.offset + sent } });
  const gap = await c.waitFrame(FrameType.GAP);
  const screen = await c.waitFrame(FrameType.SCREEN, (f) => f.offset > first.offset);
  expect(gap.body).toEqual({ from: first.offset + sent, to: screen.offset });
  expect(Buffer.from(screen.data).toString()).toContain('300000');
  // Nothing older than the fresh screen follows it.
  const after = c.frames.slice(c.frames.indexOf(screen) + 1);
  expect(after.every((f) => f.type !== FrameType.OUTPUT || f.offset >= screen.offset)).toBe(true);
  c.socket.destroy();
});
