// The original plan's command lines work as written: `pty-relay serve -p PORT -v` (and -vv, -q),
// `pty-client -s HOST -p PORT`, and -p on every client command; the help shows them.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { makeHome, RELAY_BIN, ROOT, type LogLine } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { freePort, waitListening } from '../helpers/sshd';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const started: Array<{ proc: ChildProcess; dirs: string[] }> = [];
let tmux: Tmux | undefined;

afterEach(() => tmux?.kill());
afterAll(async () => {
  for (const s of started) {
    const exited = new Promise((r) => (s.proc.exitCode !== null ? r(null) : s.proc.once('exit', r)));
    s.proc.kill('SIGTERM');
    await exited;
    for (const d of s.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

// `pty-relay serve ARGS` on a fresh port, exactly as typed (no --log-level from the test helper).
async function serve(flags: string[]): Promise<{ port: number; logs: () => LogLine[] }> {
  const port = await freePort();
  const home = makeHome("PS1='prompt> '\n");
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-rt-'));
  const proc = spawn(process.execPath, [RELAY_BIN, 'serve', '-p', String(port), ...flags, '--runtime-dir', runtime], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' },
  });
  started.push({ proc, dirs: [home, runtime] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await waitListening(port);
  return { port, logs: () => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine) };
}

it('serve -p PORT -v logs at info, -vv at debug, -q only warnings', async () => {
  const info = await serve(['-v']);
  expect((await nc(info.port, 'echo v1\n')).stdout).toBe('v1\n');
  await waitFor('exec.done', () => info.logs().find((l) => l.evt === 'exec.done'));
  expect(info.logs().find((l) => l.evt === 'server.listening')).toMatchObject({ level: 'info', port: info.port });
  expect(info.logs().filter((l) => l.level === 'debug')).toEqual([]);

  const debug = await serve(['-vv']);
  expect((await nc(debug.port, 'echo v2\n')).stdout).toBe('v2\n');
  await waitFor('a debug event', () => debug.logs().find((l) => l.evt === 'exec.submit' && l.level === 'debug'));

  const quiet = await serve(['-q']);
  expect((await nc(quiet.port, 'echo q\n')).stdout).toBe('q\n');
  // It listened (we connected), so it would have logged server.listening at info before that.
  expect(quiet.logs().filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
});

it('refuses contradicting verbosity flags', async () => {
  const both = await run([process.execPath, RELAY_BIN, 'serve', '-p', '0', '-v', '-q'], '');
  expect(both.code).toBe(2);
  expect(both.stderr).toBe('pty-relay: -v and -q contradict each other: pick one [PR_ERR_USAGE]\n');
  const twice = await run([process.execPath, RELAY_BIN, 'serve', '-p', '0', '-vv', '--log-level', 'warn'], '');
  expect(twice.code).toBe(2);
  expect(twice.stderr).toBe('pty-relay: -v/-q and --log-level both set the log level: pick one [PR_ERR_USAGE]\n');
});

it('pty-client -s HOST -p PORT attaches, and -p works on ls, new, kill, exec and doctor', async () => {
  const d = await serve(['-q']);
  tmux = new Tmux();
  tmux.start('c', [process.execPath, CLIENT_BIN, '-s', '127.0.0.1', '-p', String(d.port), 'plan']);
  await tmux.waitScreen('c', /^prompt>\s*$/m);
  tmux.type('c', 'echo planned-$((6*7))');
  await tmux.waitScreen('c', /^planned-42$/m);
  tmux.keys('c', 'C-\\');
  expect(await tmux.exitStatus('c')).toBe(0);

  const relay = (args: string[], input = ''): ReturnType<typeof run> => run([process.execPath, RELAY_BIN, ...args], input);
  const p = String(d.port);
  expect((await relay(['exec', '-p', p, '-s', 'plan', '--', 'echo', 'exec-ok'])).stdout).toBe('exec-ok\n');
  expect((await relay(['new', '-s', '127.0.0.1', '-p', p, 'prog', '--', 'sleep', '600'])).stdout).toMatch(/^session "prog" started \(pid \d+\)/);
  expect((await relay(['ls', '-s', '127.0.0.1', '-p', p])).stdout).toMatch(/\nprog +\d+ +held \d+ +0 .* sleep 600\n/);
  expect((await relay(['kill', '-p', p, 'prog'])).code).toBe(0);
  expect((await relay(['ls', '-p', p, '--json'])).stdout).not.toContain('"prog"');
  expect((await relay(['doctor', '--client', '-s', '127.0.0.1', '-p', p])).stdout).toMatch(new RegExp(`^ok +listen +something listens on 127\\.0\\.0\\.1:${d.port}$`, 'm'));
});

it('`pty-relay exec -s` is the session; a host given there is refused, not run under that name', async () => {
  for (const host of ['127.0.0.1', '::1', 'localhost']) {
    const r = await run([process.execPath, RELAY_BIN, 'exec', '-s', host, '-p', '1', '--', 'true'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pty-relay: \`pty-relay exec -s\` names the session; to reach the daemon at ${host} use --host ${host} [PR_ERR_USAGE]\n`);
  }
});

it('shows the short flags in --help', async () => {
  const help = async (args: string[]): Promise<string> => (await run([process.execPath, ...args, '--help'], '')).stdout;
  const serveHelp = await help([RELAY_BIN, 'serve']);
  for (const f of ['-p, --port <port>', '-v, --verbose', '-q, --quiet']) expect(serveHelp).toContain(f);
  const clientHelp = await help([CLIENT_BIN]);
  for (const f of ['-s, --host <host>', '-p, --port <port>', '-r, --read-only']) expect(clientHelp).toContain(f);
  for (const cmd of ['ls', 'kill', 'new', 'client', 'doctor']) {
    const h = await help([RELAY_BIN, cmd]);
    expect(h).toContain('-s, --host <host>');
    expect(h).toContain('-p, --port <port>');
  }
  const execHelp = await help([RELAY_BIN, 'exec']);
  for (const f of ['-s, --session <name>', '-t, --timeout <seconds>', '-p, --port <port>', '  --host <host>']) expect(execHelp).toContain(f);
  expect(execHelp).not.toContain('-s, --host');
  expect(await help([RELAY_BIN, 'tunnel'])).toContain('-p, --local-port <port>');
  const doctorHelp = await help([RELAY_BIN, 'doctor']);
  for (const f of ['--client', '--server', '--json', '--runtime-dir <dir>']) expect(doctorHelp).toContain(f);
});
