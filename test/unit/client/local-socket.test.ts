// client/local-socket.ts: which unix socket a client looking for this machine's daemon takes.
// (The cross-user cases, with a real second user, are in test/security/socket-trust.test.ts.)
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findLocalSocket, socketDirs } from '../../../src/client/local-socket';

const UID = process.getuid!();
let dir: string;
const servers: net.Server[] = [];

async function listenAt(file: string): Promise<void> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(file, resolve));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-find-'));
  fs.mkdirSync(path.join(dir, 'xdg/pty-relay'), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(dir, 'xdg/pty-relay'), 0o700);
  fs.mkdirSync(path.join(dir, 'rt'), { mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'rt/relay.sock'), 'a plain file, not a socket');
  await listenAt(path.join(dir, 'xdg/pty-relay/relay.sock'));
  fs.mkdirSync(path.join(dir, 'open'), { mode: 0o755 });
  fs.chmodSync(path.join(dir, 'open'), 0o755);
  await listenAt(path.join(dir, 'open/relay.sock'));
  fs.symlinkSync(path.join(dir, 'xdg/pty-relay'), path.join(dir, 'link'));
});
afterAll(() => {
  for (const s of servers) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("finds the daemon's socket where `pty-relay serve` puts it by default", () => {
  expect(findLocalSocket({ XDG_RUNTIME_DIR: path.join(dir, 'xdg') }).path).toBe(path.join(dir, 'xdg/pty-relay/relay.sock'));
  expect(findLocalSocket({ PTY_RELAY_RUNTIME_DIR: path.join(dir, 'xdg/pty-relay') }).path).toBe(path.join(dir, 'xdg/pty-relay/relay.sock'));
});

it('looks in /run/user/UID and the home fallback before any /tmp path', () => {
  const dirs = socketDirs({ HOME: '/home/u', TMPDIR: '/tmp' });
  expect(dirs).toEqual([`/run/user/${UID}/pty-relay`, '/home/u/.local/state/pty-relay/run', `/tmp/pty-relay-${UID}`]);
});

it('passes over a path that is not a socket, a directory others can enter, and a symlinked directory, saying why', () => {
  const env = { PTY_RELAY_RUNTIME_DIR: path.join(dir, 'rt'), XDG_RUNTIME_DIR: path.join(dir, 'xdg') };
  const found = findLocalSocket(env);
  expect(found.path).toBe(path.join(dir, 'xdg/pty-relay/relay.sock'));
  expect(found.passedOver).toEqual([`${path.join(dir, 'rt/relay.sock')}: ${path.join(dir, 'rt/relay.sock')} is not a socket`]);
  const open = findLocalSocket({ PTY_RELAY_RUNTIME_DIR: path.join(dir, 'open') }, UID);
  expect(open.passedOver[0]).toBe(`${path.join(dir, 'open/relay.sock')}: ${path.join(dir, 'open')} has mode 0755, not 0700`);
  expect(open.path === null || !open.path.startsWith(dir)).toBe(true);
  const link = findLocalSocket({ PTY_RELAY_RUNTIME_DIR: path.join(dir, 'link') }, UID);
  expect(link.passedOver[0]).toBe(`${path.join(dir, 'link/relay.sock')}: ${path.join(dir, 'link')} is not a directory (a symlink)`);
});

it('takes nothing that belongs to another uid', () => {
  const found = findLocalSocket({ XDG_RUNTIME_DIR: path.join(dir, 'xdg') }, UID + 1);
  expect(found.path === null || !found.path.startsWith(dir)).toBe(true);
  expect(found.passedOver[0]).toBe(`${path.join(dir, 'xdg/pty-relay/relay.sock')}: ${path.join(dir, 'xdg/pty-relay')} belongs to uid ${UID}, not to you (uid ${UID + 1})`);
});
