// The sandbox's bubblewrap arguments and what a root daemon's sandbox user can reach (reach.ts),
// on real directories. The sandbox as a whole is tested in test/security/sandbox*.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapArgv, type BwrapPlan } from '../../../../src/daemon/sandbox/bwrap';
import { DEFAULT_PROFILE } from '../../../../src/daemon/sandbox/profile';
import { blockedOnTheWay, outermost } from '../../../../src/daemon/sandbox/reach';

const plan = (over: Partial<BwrapPlan> = {}): BwrapPlan => ({
  bwrap: '/usr/bin/bwrap',
  profile: DEFAULT_PROFILE,
  home: '/home/u',
  project: '/home/u/pty-relay-sandbox/s',
  write: [],
  shellDir: '/run/pty-relay/d-1/s/sh',
  hide: ['/run/pty-relay'],
  drop: null,
  rlimits: null,
  ...over,
});

describe('bwrapArgv', () => {
  it("an ordinary daemon's: every capability dropped, the project as the start directory", () => {
    const a = bwrapArgv(plan(), ['bash', '-i']);
    expect(a.join(' ')).toContain('--cap-drop ALL --chdir /home/u/pty-relay-sandbox/s -- bash -i');
    expect(a).not.toContain('--cap-add');
  });

  it("a root daemon's: only setuid/setgid/setpcap kept for setpriv, which drops them all and the groups", () => {
    const a = bwrapArgv(plan({ drop: { setpriv: '/usr/bin/setpriv', uid: 65534, gid: 65534 } }), ['bash', '-i']).join(' ');
    expect(a).toContain('--cap-drop ALL --cap-add CAP_SETUID --cap-add CAP_SETGID --cap-add CAP_SETPCAP --');
    expect(a).toContain('-- /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- /bin/sh -c');
    expect(a).toMatch(/pty-relay-chdir \/home\/u\/pty-relay-sandbox\/s bash -i$/);
    expect(a).not.toContain('--chdir');
  });

  it('hides before it binds, and makes the way to each bind 0755 inside a tmpfs', () => {
    const a = bwrapArgv(plan(), ['bash']).join(' ');
    const at = (s: string): number => a.indexOf(s);
    expect(at('--tmpfs /run/pty-relay')).toBeLessThan(at('--bind /run/pty-relay/d-1/s/sh'));
    expect(a).toContain('--perms 0755 --dir /home/u/pty-relay-sandbox --perms 0755 --dir /run/pty-relay/d-1 --perms 0755 --dir /run/pty-relay/d-1/s --bind');
    expect(a).toContain('--perms 1777 --size 67108864 --tmpfs /tmp');
  });
});

describe('blockedOnTheWay', () => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-reach-'));
  afterAll(() => fs.rmSync(top, { recursive: true, force: true }));
  fs.chmodSync(top, 0o755);
  for (const [d, mode] of [['open', 0o755], ['open/shut', 0o700], ['open/shut/deep', 0o755], ['grp', 0o750], ['other', 0o711]] as const) {
    fs.mkdirSync(path.join(top, d));
    fs.chmodSync(path.join(top, d), mode);
  }
  const nobody = { uid: 65534, gid: 65534 };

  it('names the first directory on the way the user may not enter, and none it may', () => {
    expect(blockedOnTheWay([path.join(top, 'open/shut/deep/x')], nobody, [])).toEqual([path.join(top, 'open/shut')]);
    expect(blockedOnTheWay([path.join(top, 'other/x')], nobody, [])).toEqual([]); // 0711: enter, not list
    expect(blockedOnTheWay([path.join(top, 'grp/x')], nobody, [])).toEqual([path.join(top, 'grp')]);
    if (process.getuid?.() === 0) {
      fs.chownSync(path.join(top, 'grp'), 0, 65534); // its group may enter
      expect(blockedOnTheWay([path.join(top, 'grp/x')], nobody, [])).toEqual([]);
    }
  });

  it('passes over what a tmpfs of the sandbox covers, and keeps only the outermost', () => {
    expect(blockedOnTheWay([path.join(top, 'open/shut/deep/x')], nobody, [path.join(top, 'open')])).toEqual([]);
    expect(outermost(['/a/b', '/a', '/c/d', '/a/b/c', '/c/d'])).toEqual(['/a', '/c/d']);
  });
});
