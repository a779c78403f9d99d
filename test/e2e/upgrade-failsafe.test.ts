// An upgrade that cannot happen leaves the old daemon serving, whole, and says why: a release that
// reads another handover format, a new process killed half-way through, a release that cannot start.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VERSION } from '../../src/version';
import { nc } from '../helpers/clients';
import { ROOT } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { Tmux } from '../helpers/tmux';
import { buildRelease, install, ncHeld, relayUpgrade, replaceBundle, startLive, type LiveDaemon } from '../helpers/upgrade';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const RELEASE_A = path.join(ROOT, 'dist'); // the build under test
const VERSION_C = `${VERSION}-format-2`;
let work: string;
let releaseC: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-failsafe-'));
  // The same code, but writing and reading handover format 2.
  releaseC = await buildRelease(VERSION_C, path.join(work, 'release-c'), { file: /upgrade[\\/]document\.ts$/, from: 'export const HANDOVER_FORMAT = 1;', to: 'export const HANDOVER_FORMAT = 2;' });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// A daemon with shell state in its default session; returns the shell's pid.
async function withState(d: LiveDaemon): Promise<number> {
  const r = await nc(d.port, 'cd /tmp; export KEPT=still-here; echo $$\n');
  return Number(r.stdout.trim());
}

async function expectIntact(d: LiveDaemon, pid: number, shellPid: number): Promise<void> {
  expect(d.pid()).toBe(pid);
  process.kill(pid, 0);
  expect((await nc(d.port, 'echo $$ $PWD $KEPT\n')).stdout).toBe(`${shellPid} /tmp still-here\n`);
}

function ticks(text: string): number[] {
  return [...text.matchAll(/(?<=^|[\r\n])tick-(\d+)(?=\r?\n|$)/g)].map((m) => Number(m[1]));
}

it('refuses a release that reads another handover format, before touching a session, and says why', async () => {
  const dir = path.join(work, 'format');
  const d = await startLive([process.execPath, install(dir, RELEASE_A)]);
  try {
    const pid = d.pid();
    const shellPid = await withState(d);
    replaceBundle(dir, releaseC);
    const r = await relayUpgrade(d.port);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe(
      `pty-relay: upgrade failed; this daemon (pid ${pid}, ${VERSION}) serves on: the installed pty-relay ${VERSION_C} reads handover format 2, and this daemon (${VERSION}) writes format 1; install a version that reads it, or restart the daemon (its sessions end) [PR_ERR_UPGRADE]\n`,
    );
    expect(d.logs.filter((l) => l.evt === 'upgrade.frozen')).toEqual([]);
    await expectIntact(d, pid, shellPid);
    // With a release that reads it installed again, the upgrade goes through.
    replaceBundle(dir, RELEASE_A);
    expect((await relayUpgrade(d.port)).code).toBe(0);
    expect((await nc(d.port, 'echo $$ $PWD $KEPT\n')).stdout).toBe(`${shellPid} /tmp still-here\n`);
  } finally {
    await d.stop();
  }
});

it('serves on, with every session and attached client, when the new process is killed half-way through', async () => {
  const dir = path.join(work, 'killed');
  // The new process stops itself once it has adopted every session, before it says so.
  const d = await startLive([process.execPath, install(dir, RELEASE_A)], { bashrc: "PS1='prompt> '\n", env: { PTY_RELAY_TEST_HANDOVER_PAUSE: 'adopted' } });
  const tmux = new Tmux();
  try {
    const pid = d.pid();
    const shellPid = await withState(d);
    tmux.start('c', [process.execPath, CLIENT_BIN, '--port', String(d.port), 'work'], { HOME: d.home }, 100, 30);
    await tmux.waitScreen('c', /^prompt> *$/m);
    const pane = tmux.pipeTo('c');
    const stopFile = path.join(d.home, 'stop');
    const first = await ncHeld(d.port, `#!session work\n#!timeout 1\ni=0; while [ ! -e ${stopFile} ] && [ $i -lt 600 ]; do i=$((i+1)); echo tick-$i; sleep 0.1; done; echo ticked-$i\n`);
    expect(first).toMatch(/\npty-relay: still running as job 1 in session work after [\d.]+ s; /);

    const upgrading = relayUpgrade(d.port);
    const adopting = await d.waitLog('upgrade.adopting', (l) => l.pid !== pid);
    const newPid = adopting.pid as number;
    await waitFor('the new process to stop itself', () => (fs.readFileSync(`/proc/${newPid}/stat`, 'latin1').split(') ')[1]?.startsWith('T') ? true : undefined));
    process.kill(newPid, 'SIGKILL');
    const r = await upgrading;
    expect(r.code).toBe(255);
    expect(r.stderr).toBe(
      `pty-relay: upgrade failed; this daemon (pid ${pid}, ${VERSION}) serves on: the new daemon (pid ${newPid}) was killed by SIGKILL before taking over; see the daemon's log for its last words [PR_ERR_UPGRADE]\n`,
    );
    await d.waitLog('upgrade.rolled_back');
    await expectIntact(d, pid, shellPid);

    // The job ran on; the client, let go at the freeze, came back here and missed nothing.
    fs.writeFileSync(stopFile, '');
    const rest = (await nc(d.port, '#!session work\n#!timeout 60\n#!wait 1\n')).stdout;
    const n = Number(/^ticked-(\d+)$/m.exec(rest)?.[1]);
    expect([...ticks(first), ...ticks(rest)]).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    await tmux.waitScreen('c', new RegExp(`^ticked-${n}\\s*$`, 'm'));
    await waitFor('the pane log', () => (fs.readFileSync(pane, 'latin1').includes(`ticked-${n}`) ? true : undefined));
    const shown = fs.readFileSync(pane, 'latin1').replace(/\x1b7[\s\S]*?\x1b8/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
    expect(ticks(shown)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(fs.readFileSync(pane, 'latin1')).toMatch(/connection lost/);
  } finally {
    tmux.kill();
    await d.stop();
  }
});

it('serves on when the installed release cannot even start', async () => {
  const dir = path.join(work, 'broken');
  const d = await startLive([process.execPath, install(dir, RELEASE_A)]);
  try {
    const pid = d.pid();
    const shellPid = await withState(d);
    const broken = path.join(work, 'broken-release');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'main.js'), "process.stderr.write('this release is broken\\n');\nprocess.exit(7);\n");
    replaceBundle(dir, broken);
    const r = await relayUpgrade(d.port);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/: the new daemon \(pid \d+\) exited with status 7 before starting; see the daemon's log for its last words \[PR_ERR_UPGRADE\]\n$/);
    await expectIntact(d, pid, shellPid);
  } finally {
    await d.stop();
  }
});
