// The daemon's judgement of a silent client, on a real loopback connection and the real event loop.
import * as net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { watchLiveness, type Liveness } from '../../../../src/daemon/attach/liveness';
import { waitFor } from '../../../helpers/deadline';
import { holdLoop } from '../../../helpers/hold-loop';

const TIMEOUT_MS = 200;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

// A connected pair on 127.0.0.1: `server` is the daemon's side.
async function pair(): Promise<{ client: net.Socket; server: net.Socket }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect({ host: '127.0.0.1', port: (listener.address() as net.AddressInfo).port });
  const server = await accepted;
  await new Promise<void>((resolve) => (client.readyState === 'open' ? resolve() : client.once('connect', () => resolve())));
  cleanup.push(() => (client.destroy(), server.destroy(), listener.close()));
  return { client, server };
}

it('does not drop a client whose ping waits unread while the daemon itself was held up', async () => {
  const { client, server } = await pair();
  let dropped = false;
  let live: Liveness | null = null;
  const heardSecond = new Promise<boolean>((resolve) => {
    let chunks = 0;
    server.on('data', () => {
      live?.heard();
      if (++chunks === 1) {
        // The interleaving: in this read's callback (the poll phase) the client's next ping goes
        // into the kernel, then the daemon is held up far past the limit. The next loop turn runs
        // the overdue tick before it reads that ping.
        client.write('ping 2');
        holdLoop(3 * TIMEOUT_MS);
      } else resolve(dropped);
    });
  });
  live = watchLiveness(TIMEOUT_MS, () => (dropped = true));
  cleanup.push(() => live?.stop());
  client.write('ping 1');
  // When the second ping is read the verdict on the hold-up has been taken: not silent.
  expect(await heardSecond).toBe(false);
  await new Promise((resolve) => setImmediate(resolve));
  expect(dropped).toBe(false);
});

it('drops a client that sends nothing, once', async () => {
  const { server } = await pair();
  let drops = 0;
  const live = watchLiveness(TIMEOUT_MS, () => drops++);
  cleanup.push(() => live.stop());
  server.on('data', () => live.heard());
  await waitFor('the silent client to be dropped', () => (drops > 0 ? true : undefined));
  // Its ticks stopped with the verdict: the next ones would have found it just as silent.
  const ticks = Math.max(50, TIMEOUT_MS / 4);
  await new Promise((resolve) => setTimeout(resolve, 3 * ticks));
  expect(drops).toBe(1);
});

it('drops nothing once stopped (the connection closed, or it waits on purpose)', async () => {
  let drops = 0;
  const live = watchLiveness(TIMEOUT_MS, () => drops++);
  live.stop();
  holdLoop(2 * TIMEOUT_MS); // overdue: a running watch would judge at the next tick
  await new Promise((resolve) => setTimeout(resolve, 2 * Math.max(50, TIMEOUT_MS / 4)));
  await new Promise((resolve) => setImmediate(resolve));
  expect(drops).toBe(0);
});
