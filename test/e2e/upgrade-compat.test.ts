// `pty-relay upgrade` from the release before the shell integration changed (integration 1: the
// script's path was typed after `__pr_go_MODE`; now one alias word runs the session's script
// file). Shells adopted from it keep their old rc, so the new daemon must type the old line to
// them, while shells it starts itself get the new rc.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { ROOT } from '../helpers/daemon';
import { buildCommit, install, relayUpgrade, replaceBundle, startLive } from '../helpers/upgrade';
import { deadline } from '../helpers/deadline';

// The last commit whose rc is integration 1 (shell-integration.ts).
const INTEGRATION_1 = 'c75f18061f9096ab4ad8a1e85eb41ccb9786dcc2';
let work: string;
let previous: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-compat-'));
  previous = await buildCommit(INTEGRATION_1, '0.0.1-integration-1', path.join(work, 'previous'));
}, deadline(180_000));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function shellPid(port: number, session: string): Promise<number | null> {
  const ls = await run([process.execPath, path.join(ROOT, 'bin/pty-relay'), 'ls', '--json', '--port', String(port)], '');
  return (JSON.parse(ls.stdout) as Array<{ name: string; pid: number | null }>).find((s) => s.name === session)?.pid ?? null;
}

it('runs every kind of exec job in a shell adopted from the release before, and new shells get the new rc', async () => {
  const dir = path.join(work, 'installed');
  const bin = install(dir, previous);
  const d = await startLive([bin]);
  try {
    expect((await nc(d.port, 'cd /tmp && export PR_X=41; echo set\n')).stdout).toBe('set\n');
    const before = await shellPid(d.port, 'default');
    const oldPid = d.pid();
    replaceBundle(dir, path.join(ROOT, 'dist'));
    const up = await relayUpgrade(d.port);
    expect(up.code, up.stderr).toBe(0);
    expect(d.pid()).not.toBe(oldPid);
    expect(await shellPid(d.port, 'default')).toBe(before);

    // The adopted shell (its rc from the previous release) runs the new daemon's jobs.
    expect((await nc(d.port, 'echo $((PR_X + 1)); pwd\n')).stdout).toBe('42\n/tmp\n');
    expect((await nc(d.port, 'echo bye; exit 3\n')).stdout).toBe('bye\npty-relay: exit status 3\n');
    expect((await nc(d.port, '#!interactive\n[[ -t 0 ]] && echo stdin is the terminal\n')).stdout).toBe('stdin is the terminal\n');
    expect((await nc(d.port, "#!raw\nprintf 'a\\r\\nb\\n'\n")).stdout).toBe('a\r\nb\n');
    expect((await nc(d.port, 'echo $PR_X\n')).stdout).toBe('41\n');
    expect(await shellPid(d.port, 'default')).toBe(before);

    // A shell the new daemon starts has the new rc.
    expect((await nc(d.port, '#!session fresh\nalias __pr_rn >/dev/null && echo new rc\n')).stdout).toBe('new rc\n');
  } finally {
    await d.stop();
  }
}, deadline(240_000));
