// A real sudo password prompt, detected for a daemon run by an ordinary user (issue 22): sudo is
// setuid root, so the daemon cannot read its /proc/PID/syscall or fd/; the wait is judged from
// what it can read (the terminal's modes from the master, /proc/PID/stat, the quiet output).
// The test makes the user (useradd), gives it a password and a sudoers entry in /etc/sudoers.d,
// and removes both at the end.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDaemonAs, type DaemonAs } from '../helpers/daemon-as';
import { SudoUser } from '../helpers/second-user';

const user = new SudoUser('sudo', '');
let daemon: DaemonAs | null = null;

beforeAll(async () => {
  user.create();
  daemon = await startDaemonAs(user.name, { home: user.home });
});

afterAll(async () => {
  await daemon?.stop();
  user.remove();
});

const req = (text: string): Promise<string> => user.nc(daemon?.port ?? 0, text);

it("reports sudo's password prompt as waiting for input with echo off, and takes the password", async () => {
  expect(await req('id -un\n')).toBe(`${user.name}\n`);
  const asked = await req('#!timeout 30\nsudo -k; sudo id -u\n');
  expect(asked).toMatch(new RegExp(`^\\[sudo\\] password for ${user.name}: ?\npty-relay: job 2 is waiting for input with echo off \\(a password prompt\\?\\); prompt: "\\[sudo\\] password for ${user.name}:"; answer: #!send TEXT\\\\r; look: #!screen; stop: #!kill 2\n$`));
  expect(await req(`#!send ${user.password}\\r\n`)).toMatch(/^\n?0\n/);
  expect(await req('echo after\n')).toBe('after\n');
});

it('does not take a busy setuid program for a prompt', async () => {
  // sudo -n with a cached timestamp runs a command that keeps printing: never "waiting for input".
  expect(await req('#!timeout 30\nsudo -k; sudo -S -v <<<"$PW"; echo validated\n'.replace('$PW', user.password))).toMatch(/validated\n$/);
  const busy = await req('#!timeout 2\nsudo -n bash -c \'for i in $(seq 1 40); do echo tick; sleep 0.05; done; sleep 3\'\n');
  expect(busy).toMatch(/pty-relay: still running as job \d+ in session default after [\d.]+ s;/);
  expect(busy).not.toMatch(/waiting for input/);
});
