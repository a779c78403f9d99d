// The server's first judgements of a connection (no request yet: the handshake timeout; bytes that
// could still become an HTTP request line: the quiet spell), on a real unix socket and the real
// event loop, in the order a held-up daemon meets them: the timer due before the client's bytes
// are read.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServerConfig } from '../../../../src/daemon/server/server';
import type { AttachConfig } from '../../../../src/daemon/attach/attach';
import type { Registry } from '../../../../src/daemon/session/registry';
import type { HttpHandOff } from '../../../../src/daemon/conn/context';
import { EXEC_CONFIG } from '../../../helpers/daemon-parts';
import { within } from '../../../helpers/deadline';
import { holdLoop } from '../../../helpers/hold-loop';

const HANDSHAKE_MS = 200;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

// A server on a private unix socket; `onLog` sees each log line as it is written (synchronously).
async function serve(onLog: (line: { evt?: string }) => void, web: HttpHandOff | null = null): Promise<{ server: RunningServer; socketPath: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pr-server-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const socketPath = path.join(dir, 'sock');
  const config: ServerConfig = {
    hosts: [],
    port: 0,
    unixSocket: socketPath,
    handshakeMs: HANDSHAKE_MS,
    access: { ownUid: process.getuid?.() ?? 0, allowRoot: true, allowUnknownPeers: false, connectionRate: { ratePerSec: 1000, burst: 1000 } },
    inputRate: { ratePerSec: 1e9, burst: 1e9 },
    exec: EXEC_CONFIG,
    attach: null as unknown as AttachConfig, // no attach is made
    web,
  };
  const log = pino({ level: 'debug' }, { write: (line: string) => onLog(JSON.parse(line) as { evt?: string }) });
  // No request reaches a session: a refused directive ends before one is looked up.
  const server = await startServer(config, null as unknown as Registry, log);
  cleanup.push(() => server.close('test over'));
  return { server, socketPath };
}

// Connects, and collects what the daemon says until it ends its side.
function client(socketPath: string): { socket: net.Socket; reply: Promise<string> } {
  const socket = net.connect({ path: socketPath, allowHalfOpen: true });
  cleanup.push(() => void socket.destroy());
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const reply = new Promise<string>((resolve) => socket.once('end', () => resolve(Buffer.concat(chunks).toString())));
  return { socket, reply };
}

it('does not refuse, as never sent, a request that waited unread while the daemon was held up', async () => {
  let c: ReturnType<typeof client> | null = null;
  const { socketPath } = await serve((l) => {
    // Accepted: the handshake timer is armed once this log call returns. The request goes into the
    // kernel, then the daemon is held far past the timeout: the next turn runs the overdue timer
    // before it reads the request.
    if (l.evt === 'conn.accepted')
      process.nextTick(() => {
        c?.socket.write('#!no-such-directive\n');
        holdLoop(3 * HANDSHAKE_MS);
      });
  });
  c = client(socketPath);
  const reply = await within('the reply', c.reply, 10_000);
  expect(reply).not.toMatch(/no request received/);
  expect(reply).toMatch(/unknown directive "#!no-such-directive"/);
});

it('still closes a connection that sends nothing', async () => {
  const { socketPath } = await serve(() => undefined);
  const reply = await within('the reply', client(socketPath).reply, 10_000);
  expect(reply).toBe(`pty-relay: error: no request received within ${HANDSHAKE_MS / 1000} s\n`);
});

it('lets bytes read after a hold-up finish an HTTP request line instead of counting it as shell text', async () => {
  const taken: string[] = [];
  const web: HttpHandOff = { take: (socket, first) => (taken.push(first.toString()), socket.destroy()) };
  let c: ReturnType<typeof client> | null = null;
  const { socketPath } = await serve((l) => {
    if (l.evt === 'conn.accepted') process.nextTick(() => c?.socket.write('GE'));
  }, web);
  // The daemon's read of "GE" (it may start "GET /": undecided) arms the quiet timer; right after
  // it the rest of the request line goes into the kernel and the daemon is held past the quiet
  // spell, so the next turn runs the overdue timer before it reads the rest.
  const read = net.Socket.prototype.read;
  cleanup.push(() => void (net.Socket.prototype.read = read));
  net.Socket.prototype.read = function (this: net.Socket, size?: number) {
    const got = read.call(this, size) as Buffer | null;
    if (got !== null && this !== c?.socket && got.toString() === 'GE') {
      net.Socket.prototype.read = read;
      process.nextTick(() => {
        c?.socket.write('T / HTTP/1.1\r\nHost: x\r\n\r\n');
        holdLoop(1000);
      });
    }
    return got;
  };
  c = client(socketPath);
  await within('the hand-off', c.reply, 10_000);
  expect(taken).toEqual(['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
});
