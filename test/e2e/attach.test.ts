// pty-client in a real terminal (tmux): typing, full-screen programs, several clients, observers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
let d: TestDaemon;
let tmux: Tmux;
const PROMPT = /^prompt>\s*$/m;

beforeAll(async () => {
  // A small ring, so full-screen state must come from the mirror, not from replaying bytes.
  d = await startDaemon({ args: ['--ring-bytes', '4k'], bashrc: "PS1='prompt> '\n" });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});
afterEach(() => tmux?.kill());

function client(name: string, session: string, extra: string[] = [], cols = 100, rows = 30): void {
  tmux.start(name, [process.execPath, CLIENT_BIN, '--port', String(d.port), ...extra, session], { HOME: d.home }, cols, rows);
}

function relay(args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return run([process.execPath, RELAY_BIN, ...args, '--port', String(d.port)], '');
}

it('types commands and shows their output', async () => {
  tmux = new Tmux();
  client('a', 'typing');
  await tmux.waitScreen('a', PROMPT);
  tmux.type('a', 'echo hello-$((6*7))');
  await tmux.waitScreen('a', /^hello-42$/m);
});

it('redraws a full-screen program exactly on a fresh attach, though its start left the ring', async () => {
  tmux = new Tmux();
  fs.writeFileSync(path.join(d.home, 'nums.txt'), Array.from({ length: 20_000 }, (_, i) => `number ${i + 1} ${'x'.repeat(80)}`).join('\n'));
  client('a', 'fullscreen');
  await tmux.waitScreen('a', PROMPT);
  tmux.type('a', 'less -S ~/nums.txt');
  await tmux.waitScreen('a', /^number 29 x+$/m);
  // Page down far enough that well over 4 KB of output follows less's mode switches.
  for (let i = 0; i < 12; i++) tmux.keys('a', 'Space');
  const before = await tmux.waitScreen('a', /^number 377 x+$/m);
  const ls = await relay(['ls', '--json']);
  const info = (JSON.parse(ls.stdout) as Array<{ name: string; bytes: number }>).find((s) => s.name === 'fullscreen');
  expect(info!.bytes).toBeGreaterThan(4 * 1024 * 2);
  tmux.keys('a', 'C-\\');
  await tmux.waitScreen('a', /detached from session "fullscreen"; it keeps running/);
  expect(await tmux.exitStatus('a')).toBe(0);
  client('b', 'fullscreen');
  const after = await tmux.waitScreen('b', /^number 377 x+$/m);
  expect(after).toBe(before);
  // And it is live: less still answers keys.
  tmux.keys('b', 'q');
  await tmux.waitScreen('b', PROMPT);
});

it('sends the window size on start and when the terminal is resized', async () => {
  tmux = new Tmux();
  client('a', 'sized', [], 90, 25);
  await tmux.waitScreen('a', PROMPT);
  tmux.type('a', 'echo size=$(stty size)');
  await tmux.waitScreen('a', /^size=25 90$/m);
  tmux.resize('a', 120, 40);
  await waitFor('the new size to reach the session', async () =>
    (await nc(d.port, '#!session sized\nstty size </dev/tty\n')).stdout === '40 120\n' ? true : undefined);
});

it('lets two clients share a session: both see output, both can type', async () => {
  tmux = new Tmux();
  client('a', 'shared');
  await tmux.waitScreen('a', PROMPT);
  client('b', 'shared');
  await tmux.waitScreen('b', PROMPT);
  tmux.type('a', 'echo from-a-$((1+1))');
  await tmux.waitScreen('b', /^from-a-2$/m);
  tmux.type('b', 'echo from-b-$((2+2))');
  await tmux.waitScreen('a', /^from-b-4$/m);
  const ls = JSON.parse((await relay(['ls', '--json'])).stdout) as Array<{ name: string; clients: number }>;
  expect(ls.find((s) => s.name === 'shared')!.clients).toBe(2);
});

it('attaches read-only: sees everything, types nothing', async () => {
  tmux = new Tmux();
  client('w', 'observed');
  await tmux.waitScreen('w', PROMPT);
  client('r', 'observed', ['--read-only']);
  await tmux.waitScreen('r', PROMPT);
  tmux.type('r', 'echo typed-by-observer');
  tmux.type('w', 'echo writer-$((3*3))');
  await tmux.waitScreen('r', /^writer-9$/m);
  expect(tmux.screen('w')).not.toContain('typed-by-observer');
  expect(tmux.screen('r')).not.toContain('typed-by-observer');
});

it('shares a session between exec requests and an attached terminal', async () => {
  tmux = new Tmux();
  client('a', 'mixed');
  await tmux.waitScreen('a', PROMPT);
  expect((await nc(d.port, '#!session mixed\necho via-exec-$((5*5))\n')).stdout).toBe('via-exec-25\n');
  await tmux.waitScreen('a', /^via-exec-25$/m);
  tmux.type('a', 'cd /usr');
  await waitFor('cd to land', async () => ((await nc(d.port, '#!session mixed\npwd\n')).stdout === '/usr\n' ? true : undefined));
});

it('ends the client with the session exit status when the shell exits', async () => {
  tmux = new Tmux();
  client('a', 'leaving');
  await tmux.waitScreen('a', PROMPT);
  tmux.type('a', 'exit 7');
  await tmux.waitScreen('a', /session "leaving" ended \(exit status 7\)/);
  expect(await tmux.exitStatus('a')).toBe(7);
});

describe('sessions that run a program', () => {
  it('starts with `new`, lists with `ls`, attaches, and ends with `kill`', async () => {
    tmux = new Tmux();
    const made = await run([process.execPath, RELAY_BIN, 'new', 'prog', '--port', String(d.port), '--', 'bash', '--norc', '-c', 'echo program-started; while read -r l; do echo "got:$l"; done'], '');
    expect(made.stdout).toMatch(/^session "prog" started \(pid \d+\); attach with: pty-client prog\n$/);
    const ls = await relay(['ls']);
    expect(ls.stdout).toMatch(/^NAME +PID +HOLDER +CLIENTS +AGE +IDLE +BYTES +STATE +COMMAND\n/);
    expect(ls.stdout).toMatch(/\nprog +\d+ +held \d+ +0 +\d+s +\d+s +\d+ +human +bash --norc -c echo program-started/);
    client('a', 'prog');
    await tmux.waitScreen('a', /^program-started$/m);
    tmux.type('a', 'ping');
    await tmux.waitScreen('a', /^got:ping$/m);
    expect((await nc(d.port, '#!session prog\necho x\n')).stdout).toMatch(/^pty-relay: error: session "prog" runs the program `bash --norc -c .*`, not a shell: it takes no commands and has no jobs; look at it: #!screen; type into it: #!send TEXT\\r; first line of each: #!session prog\n$/);
    const killed = await relay(['kill', 'prog']);
    expect(killed.code).toBe(0);
    await tmux.waitScreen('a', /session "prog" ended \(signal 1\)/);
    expect((await relay(['ls'])).stdout).not.toMatch(/\nprog /);
    const again = await relay(['kill', 'prog']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('pty-relay: no session named "prog": see `pty-relay ls` [PR_ERR_NO_SESSION]\n');
  });
});

describe('the raw-mode guard', () => {
  // Runs pty-client between two `stty -g` snapshots of its terminal; returns both.
  async function sttyAround(extra: string[], session: string, act: () => Promise<void>, port = d.port): Promise<[string, string, string]> {
    tmux = new Tmux();
    const dir = fs.mkdtempSync(path.join(d.home, 'stty-'));
    const cmd = `stty -g > ${dir}/before; ${process.execPath} ${CLIENT_BIN} --port ${port} ${extra.join(' ')} ${session}; echo "client:$?"; stty -g > ${dir}/after`;
    tmux.start('g', ['sh', '-c', cmd], { HOME: d.home });
    await act();
    const screen = await tmux.waitScreen('g', /^client:\d+$/m);
    await waitFor('stty after', () => (fs.existsSync(`${dir}/after`) && fs.readFileSync(`${dir}/after`, 'utf8') !== '' ? true : undefined));
    return [fs.readFileSync(`${dir}/before`, 'utf8'), fs.readFileSync(`${dir}/after`, 'utf8'), screen];
  }

  it('restores the terminal after a detach', async () => {
    const [before, after, screen] = await sttyAround([], 'guard1', async () => {
      await tmux.waitScreen('g', PROMPT);
      tmux.keys('g', 'C-\\');
    });
    expect(after).toBe(before);
    expect(screen).toMatch(/^client:0$/m);
  });

  it('restores the terminal when killed by SIGTERM', async () => {
    const [before, after, screen] = await sttyAround([], 'guard2', async () => {
      await tmux.waitScreen('g', PROMPT);
      const clients = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${CLIENT_BIN}\0--port\0${d.port}\0guard2`);
        } catch {
          return false;
        }
      });
      expect(clients.length).toBe(1);
      process.kill(Number(clients[0]), 'SIGTERM');
    });
    expect(after).toBe(before);
    expect(screen).toMatch(/\[pty-client\] SIGTERM: exiting/);
    expect(screen).toMatch(/^client:143$/m);
  });

  it('restores the terminal when it gives up reconnecting', async () => {
    const [before, after, screen] = await sttyAround(['--max-retries', '1'], 'guard3', async () => undefined, 1);
    expect(after).toBe(before);
    expect(screen).toMatch(/giving up after 1 reconnect attempts/);
    expect(screen).toMatch(/^client:255$/m);
  });

  it('passes output through with no carriage returns added', async () => {
    tmux = new Tmux();
    client('a', 'opost');
    const log = tmux.pipeTo('a');
    await tmux.waitScreen('a', PROMPT);
    tmux.type('a', "printf 'one\\ntwo-%s\\n' $((2*2))");
    await tmux.waitScreen('a', /^two-4$/m);
    await waitFor('the log', () => (fs.readFileSync(log, 'latin1').includes('two-4') ? true : undefined));
    expect(fs.readFileSync(log, 'latin1')).toContain('one\r\ntwo-4\r\n');
  });
});

it('shows a command typed in the attached terminal as a job that #!jobs, #!status, #!wait and #!kill handle', async () => {
  tmux = new Tmux();
  client('a', 'typed');
  await tmux.waitScreen('a', PROMPT);
  tmux.type('a', 'echo typed-$((6*7)); sleep 600');
  await tmux.waitScreen('a', /^typed-42$/m);
  const jobs = await waitFor('the typed job', async () => {
    const r = (await nc(d.port, '#!session typed\n#!jobs\n')).stdout;
    return /\n1 +running .* echo typed-\$\(\(6\*7\)\); sleep 600\n$/.test(r) ? r : undefined;
  });
  expect(jobs).toMatch(/^JOB +STATE/);
  expect((await nc(d.port, '#!session typed\n#!status\n')).stdout).toMatch(/\nrunning: job 1: `echo typed-\$\(\(6\*7\)\); sleep 600` since /);
  // A timer fires late on a loaded machine: the time said is at least the timeout.
  expect((await nc(d.port, '#!session typed\n#!timeout 0.2\n#!wait 1\n')).stdout).toMatch(/^typed-42\npty-relay: still running as job 1 in session typed after (0\.[2-9]|[1-9][.\d]*) s; /);
  // The #!kill reply carries output no reply delivered: `typed-42` again when nc's EOF came after
  // the #!wait reply began (the relay cannot tell that from a killed client, so it repeats).
  expect((await nc(d.port, '#!session typed\n#!kill\n')).stdout).toMatch(/^(typed-42\n)?pty-relay: job 1 stopped by SIGINT \(exit status 130\); the shell and its state are kept\n$/);
  await tmux.waitScreen('a', /^typed-42\n(.*\n)?prompt> *$/m);
  expect((await nc(d.port, '#!session typed\necho after\n')).stdout).toBe('after\n');
});
