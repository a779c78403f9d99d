// Where the runtime directory is by default: the daemon's choices and the clients' search order.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { clientRuntimeBases, daemonRuntimeBases, isOwnPrivateDir, locateRuntimeBase } from '../../src/runtime-paths';

const uid = process.getuid!();

it('the daemon uses $XDG_RUNTIME_DIR/pty-relay when set, else /tmp/pty-relay-UID then the home fallback', () => {
  expect(daemonRuntimeBases({ XDG_RUNTIME_DIR: '/run/user/7', HOME: '/h' })).toEqual(['/run/user/7/pty-relay']);
  expect(daemonRuntimeBases({ HOME: '/h', TMPDIR: '/t' })).toEqual([`/t/pty-relay-${uid}`, '/h/.local/state/pty-relay/run']);
  expect(daemonRuntimeBases({ HOME: '/h', TMPDIR: '/t', XDG_STATE_HOME: '/s', XDG_RUNTIME_DIR: 'relative' })).toEqual([`/t/pty-relay-${uid}`, '/s/pty-relay/run']);
});

it('clients look in private places first and in /tmp last', () => {
  expect(clientRuntimeBases({ PTY_RELAY_RUNTIME_DIR: '/rt', XDG_RUNTIME_DIR: '/x', HOME: '/h', TMPDIR: '/t' })).toEqual(['/rt', '/x/pty-relay', `/run/user/${uid}/pty-relay`, '/h/.local/state/pty-relay/run', `/t/pty-relay-${uid}`]);
});

it('a client locates the directory the daemon chose: ours and private, passing over one that is not', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-paths-'));
  const env = { HOME: path.join(dir, 'home'), TMPDIR: dir };
  const inTmp = path.join(dir, `pty-relay-${uid}`);
  const inHome = path.join(dir, 'home/.local/state/pty-relay/run');
  expect(locateRuntimeBase(env)).toBe(inTmp); // neither exists: where a daemon would make it
  fs.mkdirSync(inTmp, { mode: 0o755 });
  expect(isOwnPrivateDir(inTmp)).toBe(false);
  expect(locateRuntimeBase(env)).toBe(inHome); // not private: passed over
  fs.chmodSync(inTmp, 0o700);
  expect(locateRuntimeBase(env)).toBe(inTmp);
  fs.rmSync(inTmp, { recursive: true });
  fs.symlinkSync(dir, inTmp);
  fs.mkdirSync(inHome, { recursive: true, mode: 0o700 });
  expect(isOwnPrivateDir(inTmp)).toBe(false);
  expect(locateRuntimeBase(env)).toBe(inHome);
  fs.rmSync(dir, { recursive: true, force: true });
});
