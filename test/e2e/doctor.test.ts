// `pty-relay doctor` through the built binary, against real setups: no daemon, a daemon of the
// same version, a real sshd tunnel (plain `ssh -N`, with its Nagle stall, and `pty-relay tunnel`),
// a tunnel to nowhere, another program on the port, a daemon with a secret, a runtime directory
// with the wrong mode. Every check's line is asserted, not just the exit status.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type ClientResult } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { freePort, Sshd, waitListening } from '../helpers/sshd';
import { VERSION } from '../../src/version';

const SECRET = `doc-${Math.random().toString(36).slice(2)}`;
let d: TestDaemon;
let runtime: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  d = await startDaemon();
  const ready = await d.waitLog('server.listening');
  runtime = path.dirname((ready.addresses as string[]).find((a) => a.startsWith('unix:'))!.slice(5));
});
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  expect(await d.stop()).toBe(0);
});

// Runs the doctor; returns its result and its check lines by id.
async function doctor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ClientResult & { line: (id: string) => string }> {
  const r = await run([process.execPath, RELAY_BIN, 'doctor', ...args], '', 60_000, { PTY_RELAY_SECRET: '', ...env });
  const byId = new Map<string, string>();
  for (const l of r.stdout.split('\n')) {
    const m = /^(ok|warning|problem|skip) +(\S+) /.exec(l);
    if (m) byId.set(m[2] as string, l);
  }
  return { ...r, line: (id) => byId.get(id) ?? `(no ${id} line in:\n${r.stdout}${r.stderr})` };
}

// The line a check should print: status and id in their columns, then the text.
function row(status: string, id: string, text: string): RegExp {
  return new RegExp(`^${status.padEnd(9)}${id.padEnd(14)}${text}$`);
}

const NC_OK = (port: number): RegExp => row('ok', 'nc', `nc is netcat-openbsd \\(has -N\\): agents should use \`printf '%s\\\\n' 'COMMAND' \\| nc -N localhost ${port}\` \\(tried: works\\)`);
const ROUND_TRIP_OK = row('ok', 'round-trip', '`true` \\d+\\.\\d ms, a 2 kB reply \\d+\\.\\d ms \\(median of 9 each\\)');
const NAGLE = row(
  'warning',
  'round-trip',
  'a 2 kB reply takes \\d+\\.\\d ms against \\d+\\.\\d ms for `true` \\(median of 9 each\\): the Nagle stall of a plain `ssh -N` tunnel; fix: use `pty-relay tunnel SERVER` \\(ssh -tt; README "Tunnels"\\) instead of `ssh -N -L`',
);

it('finds nothing listening, says what to start, and exits 1', async () => {
  const port = await freePort();
  const r = await doctor(['--client', '-p', String(port)]);
  expect(r.code).toBe(1);
  expect(r.stdout.split('\n')[0]).toBe(`pty-relay doctor ${VERSION}: checking localhost:${port}`);
  expect(r.line('listen')).toMatch(row('problem', 'listen', `nothing listens on localhost:${port}; fix: start the tunnel \\(\`pty-relay tunnel SERVER\`\\), or on the server itself the daemon \\(\`systemctl --user start pty-relay\`\\)`));
  expect(r.line('daemon')).toMatch(row('skip', 'daemon', 'nothing to ask'));
  expect(r.line('version')).toMatch(row('skip', 'version', 'no daemon to ask'));
  expect(r.line('secret')).toMatch(row('skip', 'secret', 'no daemon to ask'));
  expect(r.line('round-trip')).toMatch(row('skip', 'round-trip', 'not tried: the links above must work first'));
  expect(r.line('nc')).toMatch(row('skip', 'nc', `nc is netcat-openbsd \\(has -N\\): agents should use \`nc -N localhost ${port}\` \\(not tried: the links above must work first\\)`));
  expect(r.stdout).toMatch(/\n1 problem, 0 warnings\n$/);

  const j = await doctor(['--client', '-p', String(port), '--json']);
  expect(j.code).toBe(1);
  const report = JSON.parse(j.stdout) as { ok: boolean; target: string; checks: Array<{ id: string; status: string; fix?: string }> };
  expect(report.ok).toBe(false);
  expect(report.target).toBe(`localhost:${port}`);
  expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual(['listen:problem', 'daemon:skip', 'version:skip', 'secret:skip', 'round-trip:skip', 'nc:skip']);
  expect(report.checks[0]!.fix).toMatch(/pty-relay tunnel SERVER/);
});

it('passes every client check against a daemon of the same version, and cleans up after itself', async () => {
  const r = await doctor(['--client', '-s', '127.0.0.1', '-p', String(d.port)]);
  expect(r.code).toBe(0);
  expect(r.line('listen')).toMatch(row('ok', 'listen', `something listens on 127\\.0\\.0\\.1:${d.port}`));
  expect(r.line('daemon')).toMatch(row('ok', 'daemon', `pty-relay ${VERSION} answers on 127\\.0\\.0\\.1:${d.port} \\(protocol 1\\)`));
  expect(r.line('version')).toMatch(row('ok', 'version', `same version as this client \\(${VERSION}\\)`));
  expect(r.line('secret')).toMatch(row('ok', 'secret', 'no secret needed'));
  expect(r.line('round-trip')).toMatch(ROUND_TRIP_OK);
  expect(r.line('nc')).toMatch(row('ok', 'nc', `nc is netcat-openbsd \\(has -N\\): agents should use \`printf '%s\\\\n' 'COMMAND' \\| nc -N 127\\.0\\.0\\.1 ${d.port}\` \\(tried: works\\)`));
  expect(r.stdout).toMatch(/\nall good\n$/);
  // Its own session is gone again.
  const ls = await run([process.execPath, RELAY_BIN, 'ls', '--json', '-p', String(d.port)], '');
  expect((JSON.parse(ls.stdout) as Array<{ name: string }>).map((s) => s.name)).not.toContainEqual(expect.stringMatching(/^doctor-/));
});

it('checks this machine as the server: runtime dir, socket, bash, login shell, mounts, /proc, descriptors', async () => {
  const r = await doctor(['--server', '--runtime-dir', runtime]);
  const sock = path.join(runtime, 'relay.sock');
  expect(r.stdout.split('\n')[0]).toBe(`pty-relay doctor ${VERSION}: checking this machine as the server (${runtime})`);
  // systemd is what this machine has: the test asserts the line that matches it.
  if (!fs.existsSync('/run/systemd/system')) {
    expect(r.line('systemd')).toMatch(row('warning', 'systemd', 'systemd is not running on this machine, so nothing restarts the daemon if it stops; fix: .*'));
    expect(r.line('linger')).toMatch(row('skip', 'linger', 'systemd is not running here, so there is no linger to set'));
  } else {
    expect(r.line('systemd')).toMatch(/^(ok|warning|problem) +systemd +\S/);
    expect(r.line('linger')).toMatch(/^(ok +linger +linger is on|warning +linger +linger is off)/);
  }
  expect(r.line('runtime-dir')).toMatch(row('ok', 'runtime-dir', `${runtime} is yours and private \\(0700\\)`));
  expect(r.line('socket')).toMatch(row('ok', 'socket', `${sock} is yours and private \\(0600\\), and the daemon answers on it`));
  expect(r.line('bash')).toMatch(row('ok', 'bash', "sessions run \\S+ \\(the running daemon's shell\\), bash (4\\.[4-9]|[5-9]\\.)[\\d.]*"));
  expect(r.line('login-shell')).toMatch(row('ok', 'login-shell', `your login shell is ${os.userInfo().shell}.*`));
  expect(r.line('addon-cache')).toMatch(row('ok', 'addon-cache', "the native addon's directory \\S+ can hold executables \\(\\S+, \\S+\\)"));
  expect(r.line('proc-net-tcp')).toMatch(row('ok', 'proc-net-tcp', '/proc/net/tcp and tcp6 are readable: the daemon can tell which user each TCP connection belongs to'));
  expect(r.line('fds')).toMatch(row('ok', 'fds', `the daemon \\(pid ${d.proc.pid}\\) uses \\d+ of its \\d+ file descriptors`));
  expect(r.stdout).not.toMatch(/^(ok|warning|problem|skip) +(listen|daemon|round-trip) /m);
});

it('reports a runtime directory other users can enter as a problem, with the chmod that fixes it', async () => {
  fs.chmodSync(runtime, 0o755);
  try {
    const r = await doctor(['--server', '--runtime-dir', runtime]);
    expect(r.code).toBe(1);
    expect(r.line('runtime-dir')).toMatch(row('problem', 'runtime-dir', `${runtime} has mode 0755, not 0700: other users can look inside; fix: \`chmod 700 ${runtime}\``));
    expect(r.stdout).toMatch(/\n1 problem, \d warnings?\n$/);
  } finally {
    fs.chmodSync(runtime, 0o700);
  }
});

it("warns when the native addon's preferred directory is on a noexec mount", async () => {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-mnt-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'noexec', 'tmpfs', mnt]);
  try {
    const fallback = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-tmp-'));
    const r = await doctor(['--server', '--runtime-dir', runtime], { PTY_RELAY_CACHE_DIR: mnt, XDG_RUNTIME_DIR: '', TMPDIR: fallback });
    expect(r.line('addon-cache')).toMatch(
      row('warning', 'addon-cache', `${mnt} is on a noexec mount \\(${mnt}, tmpfs\\); the binary falls back to ${fallback}; fix: set PTY_RELAY_CACHE_DIR \\(for the daemon: in its unit\\) to a writable directory on a mount without noexec`),
    );
    fs.rmSync(fallback, { recursive: true, force: true });
  } finally {
    execFileSync('umount', [mnt]);
    fs.rmdirSync(mnt);
  }
});

describe('a daemon with a shared secret', () => {
  let s: TestDaemon;
  beforeAll(async () => {
    s = await startDaemon({ env: { PTY_RELAY_SECRET: SECRET } });
  });
  afterAll(async () => {
    expect(await s.stop()).toBe(0);
  });

  it('names the missing secret, the wrong one, and accepts the right one', async () => {
    const none = await doctor(['--client', '-p', String(s.port)]);
    expect(none.code).toBe(1);
    expect(none.line('daemon')).toMatch(row('ok', 'daemon', `a pty-relay daemon answers on localhost:${s.port} \\(it wants the secret before it says more\\)`));
    expect(none.line('version')).toMatch(row('skip', 'version', 'the daemon tells its version only to clients with the secret'));
    expect(none.line('secret')).toMatch(row('problem', 'secret', "the daemon needs a shared secret and this client has none; fix: set PTY_RELAY_SECRET, or pass --secret-file FILE \\(mode 600\\) holding the daemon's secret"));
    expect(none.line('round-trip')).toMatch(row('skip', 'round-trip', 'not tried: the links above must work first'));

    const wrong = await doctor(['--client', '-p', String(s.port)], { PTY_RELAY_SECRET: 'nope' });
    expect(wrong.line('secret')).toMatch(row('problem', 'secret', "the daemon rejected this client's secret; fix: PTY_RELAY_SECRET or --secret-file must hold the daemon's secret"));

    const right = await doctor(['--client', '-p', String(s.port)], { PTY_RELAY_SECRET: SECRET });
    expect(right.code).toBe(0);
    expect(right.line('secret')).toMatch(row('ok', 'secret', 'the secret is accepted'));
    expect(right.line('version')).toMatch(row('ok', 'version', `same version as this client \\(${VERSION}\\)`));
    expect(right.line('round-trip')).toMatch(ROUND_TRIP_OK);
    expect(right.line('nc')).toMatch(NC_OK(s.port));
    expect(right.stdout + right.stderr).not.toContain(SECRET);
  });
});

describe('through a real sshd', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = new Sshd();
    await sshd.start();
  });
  afterAll(() => sshd.stop());

  it('warns about the Nagle stall of a plain `ssh -N` tunnel and names `pty-relay tunnel`', async () => {
    const local = await freePort();
    children.push(await sshd.tunnel(local, d.port));
    const r = await doctor(['--client', '-p', String(local)]);
    expect(r.code).toBe(0); // a warning, not a problem: everything works, only slower
    expect(r.line('daemon')).toMatch(row('ok', 'daemon', `pty-relay ${VERSION} answers on localhost:${local} \\(protocol 1\\)`));
    expect(r.line('round-trip')).toMatch(NAGLE);
    expect(r.line('nc')).toMatch(NC_OK(local));
    expect(r.stdout).toMatch(/\n0 problems, 1 warning\n$/);
  });

  it('finds no stall through `pty-relay tunnel -p`', async () => {
    const local = await freePort();
    const helper = spawn(process.execPath, [RELAY_BIN, 'tunnel', '--once', '-p', String(local), '--remote', `localhost:${d.port}`, sshd.destination, '--', ...sshd.clientArgs()], { stdio: 'ignore' });
    children.push(helper);
    await waitListening(local);
    const r = await doctor(['--client', '-p', String(local)]);
    expect(r.code).toBe(0);
    expect(r.line('round-trip')).toMatch(ROUND_TRIP_OK);
    expect(r.stdout).toMatch(/\nall good\n$/);
  });

  it('recognises a tunnel to nowhere, and another program on the port', async () => {
    const local = await freePort();
    children.push(await sshd.tunnel(local, await freePort()));
    const nowhere = await doctor(['--client', '-p', String(local)]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.line('listen')).toMatch(row('ok', 'listen', `something listens on localhost:${local}`));
    expect(nowhere.line('daemon')).toMatch(
      row('problem', 'daemon', `localhost:${local} accepts connections but closes them without a word; fix: this is what an SSH tunnel does when nothing listens at its far end: .*`),
    );
    const foreign = await doctor(['--client', '-s', '127.0.0.1', '-p', String(sshd.port)]);
    expect(foreign.code).toBe(1);
    expect(foreign.line('daemon')).toMatch(row('problem', 'daemon', `127\\.0\\.0\\.1:${sshd.port} does not speak pty-relay \\(it said "SSH-2\\.0-OpenSSH.*"\\); fix: another program listens there: .*`));
  });
});
