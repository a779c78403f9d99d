// The exec connection's state machine, driven with its input's chunks and EOF in orders that the
// event loop allows but a quiet machine seldom shows. The requests are refused directives, so they
// end without a session; the reply runs over a real loopback socket.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { serveExec } from '../../../../src/daemon/exec/connection';
import type { Registry } from '../../../../src/daemon/session/registry';
import type { ConnInput } from '../../../../src/daemon/conn/input';
import { EXEC_CONFIG } from '../../../helpers/daemon-parts';
import { within } from '../../../helpers/deadline';
import { holdLoop } from '../../../helpers/hold-loop';

const CONFIG = EXEC_CONFIG;

// The connection's input as the server's metering hands it over: chunks and EOF, emitted by the test.
class DrivenInput extends EventEmitter implements ConnInput {
  pause(): void {}
  resume(): void {}
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

// A loopback connection served by serveExec; `onLog` sees every log line as it is written.
async function connect(onLog: (line: { evt?: string }) => void, config = CONFIG): Promise<{ input: DrivenInput; received: Promise<string>; client: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => server.close());
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, allowHalfOpen: true });
  cleanup.push(() => client.destroy());
  const socket = await accepted;
  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => chunks.push(c));
  const received = new Promise<string>((resolve) => client.once('end', () => resolve(Buffer.concat(chunks).toString())));
  const log = pino({ level: 'debug' }, { write: (line: string) => onLog(JSON.parse(line) as { evt?: string }) });
  const input = new DrivenInput();
  // No request reaches a session: refused directives end before one is looked up.
  const registry = null as unknown as Registry;
  serveExec(socket, input, Buffer.alloc(0), registry, config, { log, onShutdown: () => undefined, onHandover: () => undefined });
  return { input, received, client };
}

const refusal = (name: string): string => `pty-relay: error: unknown directive "#!${name}"`;

it('runs text that arrives in the same turn as the end of the running request, just after it', async () => {
  let refusals = 0;
  const { input, received } = await connect((l) => {
    // The first request is being answered: the next text arrives once its outcome has settled
    // (every promise callback has run) but before the event loop moves on, as a socket read does
    // when the PTY output that ended a command was handled first in the same poll.
    if (l.evt === 'exec.bad_directive' && ++refusals === 1) queueMicrotask(() => process.nextTick(() => input.emit('data', Buffer.from('#!two\n'))));
  });
  input.emit('data', Buffer.from('#!one\n'));
  const text = await within('the reply', received, 10_000);
  expect(text).toContain(refusal('one'));
  expect(text).toContain(refusal('two'));
  expect(refusals).toBe(2);
});

it('ends the reply when the client half-closes in that turn, and when nothing more comes', async () => {
  for (const late of [true, false]) {
    const { input, received } = await connect((l) => {
      if (late && l.evt === 'exec.bad_directive') queueMicrotask(() => process.nextTick(() => input.emit('end')));
    });
    input.emit('data', Buffer.from('#!one\n'));
    const text = await within('the reply', received, 10_000);
    expect(text.split('\n').filter((l) => l !== '')).toEqual([expect.stringContaining(refusal('one'))]);
  }
});

it('waits while the input meter holds bytes back: that quiet is not the client\'s', async () => {
  let refusals = 0;
  const { input, received } = await connect((l) => {
    if (l.evt === 'exec.bad_directive') refusals++;
  });
  // The settle timer fires while the meter holds the rest (it asks `holding`), then the rest comes.
  let asked: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (asked = resolve));
  Object.defineProperty(input, 'holding', { configurable: true, get: () => (asked(), true) });
  input.emit('data', Buffer.from('#!one\n'));
  await within('the settle timer', settled, 10_000);
  Object.defineProperty(input, 'holding', { configurable: true, get: () => false });
  input.emit('data', Buffer.from('#!two\n'));
  input.emit('end');
  const text = await within('the reply', received, 10_000);
  // One request of both lines: its first directive is refused, and the second is never judged alone.
  expect(text).toContain(refusal('one'));
  expect(text).not.toContain(refusal('two'));
  expect(refusals).toBe(1);
});

it('keeps bytes that came in time one request with the rest, though the loop was held past the settle time', async () => {
  let refusals = 0;
  const { input, received } = await connect((l) => {
    if (l.evt === 'exec.bad_directive') refusals++;
  });
  // A second loopback pair stands for the client's socket: what is written to it is read in the
  // poll phase of the next turn, after that turn's due timers (Node's order).
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => server.close());
  const far = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const near = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  cleanup.push(() => near.destroy());
  const peer = await far;
  cleanup.push(() => peer.destroy());
  peer.once('data', () => {
    input.emit('data', Buffer.from('#!two\n'));
    input.emit('end');
  });
  input.emit('data', Buffer.from('#!one\n')); // complete: it settles in 1 ms (one small read)
  near.write('x'); // the rest of the request is on its way, in time
  holdLoop(30); // the loop is held past the settle time (a loaded machine)
  const text = await within('the reply', received, 10_000);
  // The settle timer and the pending read were due in the same turn: one request of both lines.
  expect(text).toContain(refusal('one'));
  expect(text).not.toContain(refusal('two'));
  expect(refusals).toBe(1);
});

it('sends the whole of a reply larger than the socket takes at once though the client\'s EOF comes after the close', async () => {
  // A 4 MiB reply: the refusal names the directive, and the kernel takes a few hundred KiB of it
  // from a client that does not read; the rest waits in this process when the connection closes.
  const name = 'a'.repeat(4 << 20);
  const { input, received, client } = await connect((l) => {
    // The connection closed its side; the client's EOF comes only now (nc -N, starved between
    // sending its request and its EOF), and the client reads only after that.
    if (l.evt === 'exec.closed') setImmediate(() => {
      input.emit('end');
      setImmediate(() => client.resume());
    });
  }, { ...CONFIG, maxRequestBytes: 8 << 20 });
  client.pause();
  input.emit('data', Buffer.from(`#!${name}\n`));
  const text = await within('the reply', received, 30_000);
  expect(text.length).toBeGreaterThan(name.length);
  expect(text).toContain(`unknown directive "#!${name}"`);
});

it('drops a closed connection whose client reads nothing of its reply, once the reply made no progress for replyStallMs', async () => {
  const name = 'a'.repeat(4 << 20);
  let dropped: (unsent: number) => void = () => undefined;
  const stalled = new Promise<number>((resolve) => (dropped = resolve));
  const { input, client } = await connect((l) => {
    if (l.evt === 'exec.stalled') dropped((l as { unsent: number }).unsent);
  }, { ...CONFIG, maxRequestBytes: 8 << 20, timing: { ...CONFIG.timing, replyStallMs: 200 } });
  client.pause(); // never reads
  input.emit('data', Buffer.from(`#!${name}\n`));
  input.emit('end');
  // Most of the 4 MiB reply was still in the daemon, and it let go of it.
  expect(await within('the daemon to drop the connection', stalled, 30_000)).toBeGreaterThan(1 << 20);
});
