// The sandbox configuration file: fields merged over the built-in profile, and every mistake named.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, loadSandboxConfig } from '../../../../src/daemon/sandbox/profile';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-profile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (body: unknown): ReturnType<typeof loadSandboxConfig> => {
  const f = path.join(dir, `c${++n}.json`);
  fs.writeFileSync(f, JSON.stringify(body));
  return loadSandboxConfig(f);
};

describe('loadSandboxConfig', () => {
  it('merges each profile over the built-in one; the default is nobody/nogroup', () => {
    const c = load({ default: 'mine', profiles: { mine: { memory: '256M', uid: 64000, gid: 64001, network: 'host' } } });
    expect(c.defaultProfile).toBe('mine');
    expect(c.profiles.get('mine')).toEqual({ ...DEFAULT_PROFILE, name: 'mine', memoryBytes: 256 * 1024 * 1024, uid: 64000, gid: 64001, network: 'host' });
    expect(c.profiles.get('default')).toMatchObject({ uid: 65534, gid: 65534, memoryBytes: 512 * 1024 * 1024, cpu: 0.5, pids: 100, network: 'none', home: 'hidden' });
  });

  it.each([
    [{ profiles: { p: { uid: 0 } } }, '"uid" is a number from 1 to 2147483647 (the sandbox\'s shell never runs as root)'],
    [{ profiles: { p: { gid: 0 } } }, '"gid" is a number from 1 to 2147483647'],
    [{ profiles: { p: { uid: 2 ** 32 - 1 } } }, '"uid" is a number from 1'],
    [{ profiles: { p: { uid: '1000' } } }, '"uid" is a number from 1'],
    [{ profiles: { p: { user: 'x' } } }, 'unknown field "user" (known: network, home, project, write, tmpSize, memory, cpu, pids, idleTimeout, unenforced, uid, gid)'],
    [{ profiles: { p: { project: '~/../etc' } } }, '"project" is an absolute path or one under ~/'],
    [{ default: 'missing' }, '"default" must name a profile (default)'],
  ])('refuses %j', (body, words) => {
    expect(() => load(body)).toThrow(words);
  });
});
