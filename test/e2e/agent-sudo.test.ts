// A real sudo password prompt, detected for a daemon run by an ordinary user (issue 22): sudo is
// setuid root, so the daemon cannot read its /proc/PID/syscall or fd/; the wait is judged from
// what it can read (the terminal's modes from the master, /proc/PID/stat, the quiet output).
// The test makes the user (useradd), gives it a password and a sudoers entry in /etc/sudoers.d,
// and removes both at the end.
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { RELAY_BIN } from '../helpers/daemon';
import { within } from '../helpers/deadline';

const USER = `prsudo${process.pid}`;
const PASSWORD = `pw-${crypto.randomBytes(6).toString('hex')}`;
const SUDOERS = `/etc/sudoers.d/pty-relay-test-${process.pid}`;
let home = '';
let port = 0;
let daemon: ReturnType<typeof spawn> | null = null;

beforeAll(async () => {
  execFileSync('useradd', ['--no-create-home', '--shell', '/bin/bash', USER]);
  execFileSync('chpasswd', { input: `${USER}:${PASSWORD}\n` });
  fs.writeFileSync(SUDOERS, `Defaults:${USER} lecture=never\n${USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-sudo-'));
  fs.writeFileSync(path.join(home, '.bashrc'), '');
  execFileSync('chown', ['-R', USER, home]);
  fs.chmodSync(home, 0o700);
  const proc = spawn('runuser', ['-u', USER, '--', process.execPath, RELAY_BIN, 'serve', '--port', '0', '--runtime-dir', path.join(home, 'rt')], {
    env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  daemon = proc;
  let out = '';
  port = await within('the daemon to listen', new Promise<number>((resolve) => {
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"evt":"server.listening","port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  }), 15_000);
});

afterAll(async () => {
  if (daemon !== null && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon?.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(SUDOERS, { force: true });
  fs.rmSync(home, { recursive: true, force: true });
  execFileSync('userdel', [USER]);
});

// nc as the daemon's own user (root would be refused).
async function req(text: string): Promise<string> {
  return (await run(['runuser', '-u', USER, '--', 'nc.openbsd', '-N', '127.0.0.1', String(port)], text, 60_000)).stdout;
}

it("reports sudo's password prompt as waiting for input with echo off, and takes the password", async () => {
  expect(await req('id -un\n')).toBe(`${USER}\n`);
  const asked = await req('#!timeout 30\nsudo -k; sudo id -u\n');
  expect(asked).toMatch(new RegExp(`^\\[sudo\\] password for ${USER}: ?\npty-relay: job 2 is waiting for input with echo off \\(a password prompt\\?\\); prompt: "\\[sudo\\] password for ${USER}:"; answer: #!send TEXT\\\\r; look: #!screen; stop: #!kill 2\n$`));
  expect(await req(`#!send ${PASSWORD}\\r\n`)).toMatch(/^\n?0\n/);
  expect(await req('echo after\n')).toBe('after\n');
});

it('does not take a busy setuid program for a prompt', async () => {
  // sudo -n with a cached timestamp runs a command that keeps printing: never "waiting for input".
  expect(await req('#!timeout 30\nsudo -k; sudo -S -v <<<"$PW"; echo validated\n'.replace('$PW', PASSWORD))).toMatch(/validated\n$/);
  const busy = await req('#!timeout 2\nsudo -n bash -c \'for i in $(seq 1 40); do echo tick; sleep 0.05; done; sleep 3\'\n');
  expect(busy).toMatch(/pty-relay: still running as job \d+ in session default after [\d.]+ s;/);
  expect(busy).not.toMatch(/waiting for input/);
});
