import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findLocalSocket } from '../../../src/cli/mcp';

let dir: string;
let server: net.Server;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-find-'));
  fs.mkdirSync(path.join(dir, 'xdg/pty-relay'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'rt'));
  fs.writeFileSync(path.join(dir, 'rt/relay.sock'), 'a plain file, not a socket');
  server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'xdg/pty-relay/relay.sock'), resolve));
});
afterAll(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("finds the daemon's socket where `pty-relay serve` puts it by default", () => {
  expect(findLocalSocket({ XDG_RUNTIME_DIR: path.join(dir, 'xdg') })).toBe(path.join(dir, 'xdg/pty-relay/relay.sock'));
  expect(findLocalSocket({ PTY_RELAY_RUNTIME_DIR: path.join(dir, 'xdg/pty-relay') })).toBe(path.join(dir, 'xdg/pty-relay/relay.sock'));
});

it('skips a path that is not a socket, and a runtime dir without one', () => {
  const env = { PTY_RELAY_RUNTIME_DIR: path.join(dir, 'rt'), XDG_RUNTIME_DIR: path.join(dir, 'xdg') };
  expect(findLocalSocket(env)).toBe(path.join(dir, 'xdg/pty-relay/relay.sock'));
  const none = findLocalSocket({ PTY_RELAY_RUNTIME_DIR: path.join(dir, 'rt'), XDG_RUNTIME_DIR: path.join(dir, 'nowhere') });
  // Only the machine-wide fallbacks remain, and they are sockets if anything.
  if (none !== null) expect(fs.statSync(none).isSocket()).toBe(true);
  expect(none === null || !none.startsWith(dir)).toBe(true);
});
