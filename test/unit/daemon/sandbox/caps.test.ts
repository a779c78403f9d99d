// Which mechanism enforces each cap, and when a profile is refused: on the hosts this machine is
// not (a systemd host with cgroup v2 delegated, fully or in part) as well as on the ones it is.
import { describe, expect, it } from 'vitest';
import { capsRefusal, planCaps } from '../../../../src/daemon/sandbox/caps';
import type { CgroupHost } from '../../../../src/daemon/sandbox/cgroup';
import type { SandboxHost } from '../../../../src/daemon/sandbox/host';
import { DEFAULT_PROFILE } from '../../../../src/daemon/sandbox/profile';

const SVC = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/pty-relay.service';
const v2 = (controllers: string[]): CgroupHost => ({ v2: { dir: SVC, mount: '/sys/fs/cgroup', controllers: new Set(controllers) }, v1: new Map(), v2Seen: { dir: SVC, controllers, writable: true } });
const NONE: CgroupHost = { v2: null, v1: new Map(), v2Seen: { dir: '/sys/fs/cgroup/unified', controllers: [], writable: false } };
const host = (cgroups: CgroupHost, root: boolean): SandboxHost => ({ bwrap: '/usr/bin/bwrap', bwrapError: null, prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv', cgroups, root });
const by = (h: SandboxHost): Array<[string, string | null]> => planCaps(DEFAULT_PROFILE, h).caps.map((c) => [c.cap, c.by]);

describe('planCaps and capsRefusal', () => {
  it('a systemd service with memory, pids and cpu delegated: every cap by cgroup v2, nothing refused', () => {
    const h = host(v2(['cpu', 'memory', 'pids']), false);
    const plan = planCaps(DEFAULT_PROFILE, h);
    expect(plan.kind).toBe('v2');
    expect(by(h)).toEqual([['memory', 'cgroup v2'], ['cpu', 'cgroup v2'], ['pids', 'cgroup v2']]);
    expect(plan.rlimitArgs).toEqual([]);
    expect(capsRefusal(DEFAULT_PROFILE, plan, h)).toBeNull();
  });

  it('an older systemd that delegates no cpu: refused, naming the cap, the host and the two ways on', () => {
    const h = host(v2(['memory', 'pids']), false);
    const plan = planCaps(DEFAULT_PROFILE, h);
    const refusal = capsRefusal(DEFAULT_PROFILE, plan, h);
    expect(refusal).toContain('sandbox profile "default" asks for caps this host cannot fully enforce for the daemon (uid ');
    expect(refusal).toContain(': cpu 0.5 CPU (NOT enforced); here: cgroup v2 delegated (');
    expect(refusal).toContain('using v2 for memory, pids; no cgroup for cpu');
    expect(refusal).toContain('Delegate=yes');
    expect(refusal).toContain('"unenforced": "allow"');
    expect(capsRefusal({ ...DEFAULT_PROFILE, unenforced: 'allow' }, plan, h)).toBeNull();
    // A profile that asks for no CPU cap is not refused.
    const noCpu = { ...DEFAULT_PROFILE, cpu: null };
    expect(capsRefusal(noCpu, planCaps(noCpu, h), h)).toBeNull();
  });

  it('no cgroup at all: an ordinary user gets rlimits (NPROC binds in its own user namespace), root does not', () => {
    const user = host(NONE, false);
    expect(by(user)).toEqual([['memory', 'rlimit DATA'], ['cpu', null], ['pids', 'rlimit NPROC in its own user namespace']]);
    expect(planCaps(DEFAULT_PROFILE, user).rlimitArgs).toEqual(['--data=536870912:536870912', '--nproc=100:100']);
    // Root's sandbox has no user namespace of its own: RLIMIT_NPROC would count every process of the uid.
    const root = host(NONE, true);
    expect(by(root)).toEqual([['memory', 'rlimit DATA'], ['cpu', null], ['pids', null]]);
    expect(capsRefusal(DEFAULT_PROFILE, planCaps(DEFAULT_PROFILE, root), root)).toContain("(root): memory 512 MiB (rlimit DATA, per process, not the session's total), cpu 0.5 CPU (NOT enforced), processes 100 (NOT enforced)");
  });
});
