// What a person watching a session sees of an agent's exec jobs (issue 26): the command as typed
// by the agent, marked as the agent's, then its output, and none of the relay's own words.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
let d: TestDaemon;
let tmux: Tmux;
const PROMPT = /\$\s*$/m;

beforeAll(async () => {
  d = await startDaemon({ bashrc: "PS1='dev@vm:\\w$ '\n" });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});
afterEach(() => tmux?.kill());

function client(name: string, session: string, extra: string[] = [], cols = 100, rows = 30): void {
  tmux.start(name, [process.execPath, CLIENT_BIN, '--port', String(d.port), ...extra, session], { HOME: d.home, LANG: 'C.UTF-8' }, cols, rows);
}

it('shows a read-only watcher the command the agent ran, marked, then its output, and no __pr_', async () => {
  tmux = new Tmux();
  await nc(d.port, '#!session seen\ntrue\n');
  client('r', 'seen', ['--read-only']);
  await tmux.waitScreen('r', PROMPT);
  const log = tmux.pipeTo('r');
  expect((await nc(d.port, '#!session seen\necho seen-$((6*7))\n')).stdout).toBe('seen-42\n');
  const screen = await tmux.waitScreen('r', /\$ \[agent\] echo seen-\$\(\(6\*7\)\)\nseen-42\n.*\$\s*$/m);
  expect(screen).not.toContain('__pr_');
  expect(fs.readFileSync(log, 'latin1')).not.toContain('__pr_');
  // The screen mirror (#!screen) shows the same.
  const mirror = (await nc(d.port, '#!session seen\n#!screen\n')).stdout;
  expect(mirror).toMatch(/\[agent\] echo seen-\$\(\(6\*7\)\)\nseen-42\n/);
  expect(mirror).not.toContain('__pr_');
});

it('shows a long script bounded, raw and interactive jobs too, at any prompt width', async () => {
  tmux = new Tmux();
  // The prompt plus the typed line end exactly at the margin: readline redraws that line.
  client('w', 'narrow', [], 30, 20);
  await tmux.waitScreen('w', PROMPT);
  expect((await nc(d.port, `#!session narrow\nPS1='${'p'.repeat(20)}$ '\n`)).stdout).toBe('');
  const log = tmux.pipeTo('w');
  const script = ['echo one', 'echo two', 'echo three', 'echo four', 'echo five'].join('\n');
  expect((await nc(d.port, `#!session narrow\n${script}\n`)).stdout).toBe('one\ntwo\nthree\nfour\nfive\n');
  await tmux.waitScreen('w', /\[agent\]\s+echo one\n +> echo two\n +> echo three\n +… 2 more lines\none\n/);
  expect((await nc(d.port, '#!session narrow\n#!raw\necho raw-$((1+1))\n')).stdout).toBe('raw-2\n');
  expect((await nc(d.port, '#!session narrow\n#!interactive\necho int-$((2+2))\n')).stdout).toBe('int-4\n');
  await tmux.waitScreen('w', /\[agent\]\s+echo raw-\$\(\(1\+1\)\)\n+raw-2\n(.*\n)*.*\[agent\]\s+echo int-\$\(\(2\+2\)\)\n+int-4\n/);
  expect(tmux.screen('w')).not.toContain('__pr_');
  expect(fs.readFileSync(log, 'latin1')).not.toContain('__pr_');
});

it('draws control characters in a command as text, not as escapes', async () => {
  tmux = new Tmux();
  await nc(d.port, '#!session ctl\ntrue\n');
  client('r', 'ctl', ['--read-only']);
  await tmux.waitScreen('r', PROMPT);
  expect((await nc(d.port, "#!session ctl\n: '\x1b[2J\x1b]0;pwned\x07' ; echo ctl-ok\n")).stdout).toBe('ctl-ok\n');
  await tmux.waitScreen('r', /\[agent\] : '\^\[\[2J\^\[\]0;pwned\^G' ; echo ctl-ok\nctl-ok\n/);
});
