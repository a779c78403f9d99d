// `pty-relay upgrade` between two releases that report different versions: shells, jobs, attached
// clients and exec requests in flight all carry on, three times in a row.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VERSION } from '../../src/version';
import { execOverSocket, nc, RawClient, run } from '../helpers/clients';
import { ROOT } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';
import { gone } from '../helpers/pids';
import { Tmux } from '../helpers/tmux';
import { buildRelease, install, ncHeld, relayUpgrade, replaceBundle, startLive, type LiveDaemon } from '../helpers/upgrade';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const RELEASE_A = path.join(ROOT, 'dist'); // the build under test
const VERSION_B = `${VERSION}-upgrade-test`;
let work: string;
let releaseB: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-upgrade-'));
  releaseB = await buildRelease(VERSION_B, path.join(work, 'release-b'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// Exec requests one after another until stopped (bounded in count and time); each must get
// exactly its own answer: nothing refused, lost or mixed up.
function execLoop(port: number, session: string, via: 'socket' | 'nc'): { done: () => number; stop: () => Promise<{ count: number; failures: string[] }> } {
  let stopped = false;
  let count = 0;
  const failures: string[] = [];
  const until = Date.now() + 120_000;
  const finished = (async () => {
    for (let k = 1; !stopped && k <= 20_000 && Date.now() < until; k++) {
      const text = `#!session ${session}\necho ${session}-${k}\n`;
      try {
        const out = via === 'socket' ? await execOverSocket(port, text) : (await nc(port, text)).stdout;
        if (out === `${session}-${k}\n`) count++;
        else failures.push(`request ${k}: ${JSON.stringify(out)}`);
      } catch (err) {
        failures.push(`request ${k}: ${(err as Error).message}`);
      }
    }
  })();
  return {
    done: () => count,
    stop: async () => {
      stopped = true;
      await finished;
      return { count, failures };
    },
  };
}

// The numbers of the `tick-N` lines in `text`, in order. A line may start after a carriage return
// (the terminal's echo of the command line ends in mode changes and one).
function ticks(text: string): number[] {
  return [...text.matchAll(/(?<=^|[\r\n])tick-(\d+)(?=\r?\n|$)/g)].map((m) => Number(m[1]));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

// Session name -> program pid, from `pty-relay ls`.
async function sessionPids(d: LiveDaemon): Promise<Record<string, number | null>> {
  const ls = await run([process.execPath, path.join(ROOT, 'bin/pty-relay'), 'ls', '--json', '--port', String(d.port)], '');
  return Object.fromEntries((JSON.parse(ls.stdout) as Array<{ name: string; pid: number | null }>).map((s) => [s.name, s.pid]));
}

it('hands shells, a running job, an attached client and exec requests in flight to a new release, three times', async () => {
  const dir = path.join(work, 'installed');
  const bin = install(dir, RELEASE_A);
  const d = await startLive([process.execPath, bin], { bashrc: "PS1='prompt> '\n" });
  const tmux = new Tmux();
  const loops: Array<ReturnType<typeof execLoop>> = [];
  try {
    // Shell state: cwd, environment, a function.
    const here = path.join(d.home, 'here');
    const setup = await nc(d.port, `mkdir -p ${here} && cd ${here}; export KEPT=value-1; kept() { echo fn-$1; }; echo $$\n`);
    const shellPid = Number(setup.stdout.trim());
    expect(shellPid).toBeGreaterThan(1);

    // An attached pty-client, and in its session a job printing a line every 100 ms.
    tmux.start('c', [process.execPath, CLIENT_BIN, '--port', String(d.port), 'work'], { HOME: d.home }, 100, 30);
    await tmux.waitScreen('c', /^prompt> *$/m);
    const pane = tmux.pipeTo('c');
    const stopFile = path.join(d.home, 'stop');
    const job = `i=0; while [ ! -e ${stopFile} ] && [ $i -lt 1200 ]; do i=$((i+1)); echo tick-$i; sleep 0.1; done; echo ticked-$i\n`;
    const first = await ncHeld(d.port, `#!session work\n#!timeout 1\n${job}`);
    expect(first).toMatch(/\npty-relay: still running as job 1 in session work after [\d.]+ s; /);

    loops.push(execLoop(d.port, 'loop-socket', 'socket'), execLoop(d.port, 'loop-nc', 'nc'));
    const pids = await waitFor('both loop sessions', async () => {
      const p = await sessionPids(d);
      return p['loop-socket'] && p['loop-nc'] ? p : undefined;
    });
    expect(pids.default).toBe(shellPid);
    const releases: Array<[string, string]> = [
      [releaseB, VERSION_B],
      [RELEASE_A, VERSION],
      [releaseB, VERSION_B],
    ];
    for (const [release, version] of releases) {
      const before = d.pid();
      const counts = loops.map((l) => l.done());
      await waitFor('the exec loops to make progress', () => (loops.every((l, i) => l.done() > (counts[i] as number)) ? true : undefined));
      replaceBundle(dir, release);
      const r = await relayUpgrade(d.port);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const report = JSON.parse(r.stdout) as { from: { pid: number; version: string }; to: { pid: number; version: string }; sessions: number };
      expect(report.from.pid).toBe(before);
      expect(report.to.pid).not.toBe(before);
      // The new code runs: it reports its own version, and so does its log.
      expect(report.to.version).toBe(version);
      expect((await d.waitLog('daemon.ready', (l) => l.pid === report.to.pid)).version).toBe(version);
      expect(report.sessions).toBe(4);
      await gone('the old daemon to exit', before);
      expect(d.pid()).toBe(report.to.pid);
      // The shells are the same processes, with their state.
      expect(await sessionPids(d)).toEqual(pids);
      expect((await nc(d.port, 'echo $$ $PWD $KEPT; kept x\n')).stdout).toBe(`${shellPid} ${here} value-1\nfn-x\n`);
    }

    // The job ran on throughout: `#!wait` gives the rest of its output, no gap and no repeat.
    fs.writeFileSync(stopFile, '');
    const rest = (await nc(d.port, '#!session work\n#!timeout 60\n#!wait 1\n')).stdout;
    const n = Number(/^ticked-(\d+)$/m.exec(rest)?.[1]);
    expect(n).toBeGreaterThan(30);
    expect([...ticks(first), ...ticks(rest)]).toEqual(range(n));

    // The attached client reconnected by itself each time and showed every line exactly once.
    await tmux.waitScreen('c', new RegExp(`^ticked-${n}\\s*$`, 'm'));
    await waitFor('the pane log', () => (fs.readFileSync(pane, 'latin1').includes(`ticked-${n}`) ? true : undefined));
    // Not lines of output: its status line ("connection lost …", drawn between cursor save and
    // restore) and the shell's invisible marks (OSC 133).
    const shown = fs.readFileSync(pane, 'latin1').replace(/\x1b7[\s\S]*?\x1b8/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
    expect(ticks(shown)).toEqual(range(n));
    const screenTicks = ticks(tmux.screen('c'));
    expect(screenTicks).toEqual(range(n).slice(n - screenTicks.length));

    // No exec request in the loops was refused or lost.
    for (const l of loops.splice(0)) {
      const { count, failures } = await l.stop();
      expect(failures).toEqual([]);
      expect(count).toBeGreaterThan(3);
    }
  } finally {
    for (const l of loops) await l.stop();
    tmux.kill();
    await d.stop();
  }
}, 180_000); // three upgrades, each a new process, on a busy machine

it('tells an exec request still running at the upgrade that its job continues there; #!wait gives the rest', async () => {
  const dir = path.join(work, 'inflight');
  const d = await startLive([process.execPath, install(dir, RELEASE_A)]);
  try {
    const stopFile = path.join(d.home, 'stop');
    const client = new RawClient(d.port);
    // No EOF: the daemon ends the reply itself, so it counts as delivered (see ncHeld).
    client.send(`#!session inflight\ni=0; while [ ! -e ${stopFile} ] && [ $i -lt 600 ]; do i=$((i+1)); echo slow-$i; sleep 0.1; done; echo slowed-$i\n`);
    await waitFor('the request to stream', () => (client.text().includes('slow-3\n') ? true : undefined));
    replaceBundle(dir, releaseB);
    const r = await relayUpgrade(d.port);
    expect(r.code).toBe(0);
    await within('the reply to end', client.closed, 10_000);
    const reply = client.text();
    expect(reply).toMatch(/\npty-relay: still running as job 1 in session inflight after [\d.]+ s; the daemon is being upgraded and the job continues in the new one; wait: #!wait 1; /);
    fs.writeFileSync(stopFile, '');
    const rest = (await nc(d.port, '#!session inflight\n#!timeout 60\n#!wait 1\n')).stdout;
    const n = Number(/^slowed-(\d+)$/m.exec(rest)?.[1]);
    const slow = (t: string): number[] => [...t.matchAll(/^slow-(\d+)$/gm)].map((m) => Number(m[1]));
    expect([...slow(reply), ...slow(rest)]).toEqual(range(n));
  } finally {
    await d.stop();
  }
});

it('says so when the exit status of a shell it did not start cannot be known (no holders)', async () => {
  const dir = path.join(work, 'unknown');
  // With a holder (the default) the holder is the shell's parent and tells the status: see below.
  const d = await startLive([process.execPath, install(dir, RELEASE_A)], { args: ['--no-holders'] });
  try {
    const shellPid = Number((await nc(d.port, 'echo $$\n')).stdout.trim());
    expect((await relayUpgrade(d.port)).code).toBe(0);
    // Under a subreaper (as under systemd) the shell is reaped the moment it dies: only its
    // parent, the reaper, learns the status. Were it still a zombie, /proc would tell it.
    process.kill(shellPid, 'SIGKILL');
    const exited = await d.waitLog('session.exited', (l) => l.session === 'default');
    // The reaper takes microseconds; /proc is looked at every 250 ms.
    expect(exited).toMatchObject({ code: null, signal: 0 });
    const next = (await nc(d.port, 'echo again\n')).stdout;
    expect(next).toMatch(/^pty-relay: the previous shell of session "default" ended \(exit status unknown: an earlier pty-relay process started it, and only a parent learns the status\) at \S+; this is a new shell\nagain\n$/);
  } finally {
    await d.stop();
  }
});

it('knows the exit status of a shell it did not start, from the shell\'s holder', async () => {
  const dir = path.join(work, 'known');
  const d = await startLive([process.execPath, install(dir, RELEASE_A)]);
  try {
    const shellPid = Number((await nc(d.port, 'echo $$\n')).stdout.trim());
    expect((await relayUpgrade(d.port)).code).toBe(0);
    process.kill(shellPid, 'SIGKILL');
    const exited = await d.waitLog('session.exited', (l) => l.session === 'default');
    expect(exited).toMatchObject({ code: 0, signal: 9 });
    const next = (await nc(d.port, 'echo again\n')).stdout;
    expect(next).toMatch(/^pty-relay: the previous shell of session "default" was killed by signal 9 at \S+; this is a new shell\nagain\n$/);
  } finally {
    await d.stop();
  }
});

it('parks connections that arrive during the switch, unread, and passes them to the new daemon', async () => {
  const dir = path.join(work, 'parked');
  // The new process stops itself once it has adopted the sessions: the switch holds still.
  const d = await startLive([process.execPath, install(dir, RELEASE_A)], { env: { PTY_RELAY_TEST_HANDOVER_PAUSE: 'adopted' } });
  try {
    const shell = (await nc(d.port, 'echo $$\n')).stdout;
    const before = d.pid();
    const upgrading = relayUpgrade(d.port);
    const newPid = (await d.waitLog('upgrade.adopting', (l) => l.pid !== before)).pid as number;
    await waitFor('the new process to stop itself', () => (fs.readFileSync(`/proc/${newPid}/stat`, 'latin1').split(') ')[1]?.startsWith('T') ? true : undefined));
    // Two requests now, over TCP and over the unix socket: accepted by the old daemon, not refused.
    const overTcp = nc(d.port, 'echo tcp $$\n');
    const overUnix = run(['nc.openbsd', '-N', '-U', d.socket], 'echo unix $$\n');
    await d.waitLog('conn.parked', (l) => l.pid === before && l.parked === 2);
    process.kill(newPid, 'SIGCONT');
    const r = await upgrading;
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { to: { pid: number }; connections: number };
    expect(report.to.pid).toBe(newPid);
    // The two run one after the other; one may be told it waits for the other (exec/queued.ts).
    const own = (out: string): string => out.replace(/^pty-relay: job \d+ waits for job [^\n]*; waiting\.*\n/, '');
    expect(own((await overTcp).stdout)).toBe(`tcp ${shell}`);
    expect(own((await overUnix).stdout)).toBe(`unix ${shell}`);
    expect(report.connections).toBe(2);
    // Served by the new daemon, which saw them first as handed-over connections.
    expect(d.logs.filter((l) => l.evt === 'conn.accepted' && l.pid === newPid)).toHaveLength(2);
  } finally {
    await d.stop();
  }
});
