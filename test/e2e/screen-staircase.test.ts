// `#!screen` and an attached terminal show each line at the left edge after programs that change
// the terminal's modes (issue 22): a password prompt (echo off) and a real `sudo` asking for a
// password (Debian's sudoers has use_pty: sudo gives its inner terminal a copy of ours, output
// processing off included, and puts ours in raw mode). The agent's reply stays the exact bytes.
// The sudo part runs the daemon as a user made here (useradd, a password, a sudoers entry), as
// agent-sudo.test.ts does (SudoUser, startDaemonAs), and removes both at the end.
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { startDaemonAs, type DaemonAs } from '../helpers/daemon-as';
import { SudoUser } from '../helpers/second-user';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
// Lines `one`, `two`, `three` each at the left edge (a staircase would indent `two` and `three`).
const LINES = /^one\s*\ntwo\s*\nthree\s*$/m;
let tmux: Tmux | undefined;
afterEach(() => tmux?.kill());

describe('a program that turns echo off', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ bashrc: "PS1='prompt> '\n" });
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('prints its lines at the left edge of #!screen and of an attached terminal', async () => {
    tmux = new Tmux();
    tmux.start('a', [process.execPath, CLIENT_BIN, '--port', String(d.port), 'quiet'], { HOME: d.home }, 100, 30);
    await tmux.waitScreen('a', /^prompt>\s*$/m);
    // It prints while echo is off, then waits: the display stream has those lines by the time
    // the reply says it waits for input.
    const cmd = "stty -echo </dev/tty; printf 'one\\ntwo\\nthree\\n'; read -r x </dev/tty; stty echo </dev/tty; echo \"got $x\"";
    const asked = await nc(d.port, `#!session quiet\n#!timeout 20\n${cmd}\n`);
    expect(asked.stdout).toMatch(/^one\ntwo\nthree\npty-relay: job \d+ is waiting for input with echo off/);
    expect((await nc(d.port, '#!session quiet\n#!screen\n')).stdout).toMatch(LINES);
    await tmux.waitScreen('a', LINES);
    // The job ends with the answer: a `#!send` reply says so (send-loop.test.ts).
    expect((await nc(d.port, '#!session quiet\n#!send secret\\r\n')).stdout).toMatch(/^got secret\npty-relay: job \d+ ended with exit status 0\n$/);
  });
});

describe('sudo asking for a password', () => {
  const user = new SudoUser('stair', "PS1='prompt> '\n");
  let daemon: DaemonAs | null = null;
  let port = 0;

  beforeAll(async () => {
    user.create();
    daemon = await startDaemonAs(user.name, { home: user.home });
    port = daemon.port;
  });

  afterAll(async () => {
    await daemon?.stop();
    user.remove();
  });

  const req = (text: string): Promise<string> => user.nc(port, text);

  it('shows the lines sudo relays at the left edge, and replies with their exact bytes', async () => {
    tmux = new Tmux();
    tmux.start('a', ['runuser', '-u', user.name, '--', 'env', `HOME=${user.home}`, process.execPath, CLIENT_BIN, '--port', String(port)], {}, 100, 30);
    await tmux.waitScreen('a', /^prompt>\s*$/m);
    const asked = await req("#!timeout 30\nsudo -k; sudo printf 'one\\ntwo\\nthree\\n'\n");
    expect(asked).toMatch(/^\[sudo\] password for \S+: ?\npty-relay: job \d+ is waiting for input with echo off/);
    expect(await req(`#!send ${user.password}\\r\n`)).toMatch(/^\none\ntwo\nthree\npty-relay: job \d+ ended with exit status 0\n$/);
    expect(await req('#!screen\n')).toMatch(LINES);
    await tmux.waitScreen('a', LINES);
    // And the next command's lines too (the terminal's modes are ours again).
    expect(await req('printf "four\\nfive\\n"\n')).toBe('four\nfive\n');
    await tmux.waitScreen('a', /^four\s*\nfive\s*\nprompt>\s*$/m);
  });
});
