// The single binary, alone in an empty directory with a bare environment; install and units.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBinary, serveBinary } from '../helpers/binary';
import { run } from '../helpers/clients';
import { ROOT } from '../helpers/daemon';
import { FrameClient } from '../helpers/frames';
import { FrameType } from '../../src/protocol/frame';
import { Tmux } from '../helpers/tmux';
import { httpRequest } from '../helpers/web-raw';

let dir: string;
let bin: string;

beforeAll(() => {
  dir = copyBinary('pty-relay-bin-');
  bin = path.join(dir, 'pty-relay');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Runs the copied binary with `env -i PATH=/usr/bin:/bin` (plus `env`), from its own directory.
function bare(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return run(['env', '-i', 'PATH=/usr/bin:/bin', ...envArgs, bin, ...args], '');
}

it('prints its version with nothing else around', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await bare(['--version']);
  expect(r.stdout).toBe(`${pkg.version}\n`);
  expect(fs.readdirSync(dir).sort()).toEqual(['pty-client', 'pty-relay']);
});

describe('serving from the bare binary', () => {
  let port = 0;
  let stop: () => Promise<void> = async () => undefined;
  let out: () => string = () => '';
  beforeAll(async () => {
    const served = await serveBinary(bin, dir, ['PTY_RELAY_WEB=1']);
    ({ port, output: out } = served);
    stop = async () => {
      expect(await served.stop()).toBe(0);
    };
  });
  afterAll(async () => stop());

  it('looks peers up through its embedded sock_diag addon, loaded from an unnamed copy', () => {
    expect(out()).toMatch(/"evt":"server.peer_uid","method":"netlink","detail":"sock_diag.node \(an unnamed copy in \/[^"]*\)"/);
  });

  it('serves the web terminal embedded in it (PTY_RELAY_WEB=1)', async () => {
    const r = await bare(['web', '--port', String(port), '--runtime-dir', path.join(dir, 'rt')]);
    expect(r.stderr).toBe('');
    const code = /^http:\/\/localhost:\d+\/#c=(\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})\n$/.exec(r.stdout)?.[1] as string;
    const host = `localhost:${port}`;
    const login = await httpRequest(port, 'POST', '/api/login', { Host: host, Origin: `http://${host}`, 'Content-Type': 'application/json' }, JSON.stringify({ code }));
    const cookie = (login.headers['set-cookie']?.[0] ?? '').split(';', 1)[0] as string;
    const page = await httpRequest(port, 'GET', '/', { Host: host, Cookie: cookie });
    expect(page.status).toBe(200);
    const script = /<script>([\s\S]*)<\/script>/.exec(page.body)?.[1] as string;
    expect(script.length).toBeGreaterThan(100_000);
    const hash = crypto.createHash('sha256').update(script, 'utf8').digest('base64');
    expect(page.headers['content-security-policy']).toContain(`script-src 'sha256-${hash}'`);
  });

  it('runs exec requests from netcat', async () => {
    const r = await run(['nc.openbsd', '-N', '127.0.0.1', String(port)], 'echo from-the-binary-$((6*7)); cd /tmp\n');
    expect(r.stdout).toBe('from-the-binary-42\n');
    expect((await run(['nc.openbsd', '-N', '127.0.0.1', String(port)], 'pwd\n')).stdout).toBe('/tmp\n');
  });


  // The binary starts from a heap snapshot taken at build time with the exec client loaded: its
  // arguments and environment must still be this run's.
  it('is an exec client that reads this run\'s arguments and environment', async () => {
    const r = await bare(['exec', '-s', 'snap', '--limit', '100', '--', 'echo', 'from-exec;', 'exit_with() { return $1; };', 'exit_with', '4'], { PTY_RELAY_PORT: String(port) });
    expect(r).toMatchObject({ stdout: 'from-exec\n', stderr: '', code: 4 });
    const secret = await bare(['exec', '--', 'true'], { PTY_RELAY_PORT: String(port), PTY_RELAY_SECRET_FILE: path.join(dir, 'absent') });
    expect(secret.stderr).toMatch(/^pty-relay: cannot read the secret file .*absent: create it/);
    expect(secret.code).toBe(2);
  });

  it('draws the screen on attach from its mirror worker (the embedded worker asset)', async () => {
    await run(['nc.openbsd', '-N', '127.0.0.1', String(port)], '#!session bin-screen\necho screen-from-$((3*11))\n');
    const c = new FrameClient(port);
    try {
      c.hello();
      c.attach('bin-screen', null);
      const screen = await c.waitFrame(FrameType.SCREEN);
      expect(screen.data.toString()).toContain('screen-from-33');
    } finally {
      c.socket.destroy();
    }
  });

  it('is pty-client when called through the pty-client link', async () => {
    const tmux = new Tmux();
    try {
      tmux.start('c', ['env', '-i', 'PATH=/usr/bin:/bin', 'TERM=xterm-256color', path.join(dir, 'pty-client'), '--port', String(port), 'bin-session']);
      tmux.type('c', 'echo attached-$((5*5))');
      await tmux.waitScreen('c', /^attached-25$/m);
      tmux.keys('c', 'C-\\');
      await tmux.waitScreen('c', /detached from session "bin-session"/);
    } finally {
      tmux.kill();
    }
  });
});

describe('the embedded native addon', () => {
  // A tmpfs mounted with the given options, for the duration of `fn`.
  async function withMount(opts: string, fn: (mnt: string) => Promise<void>): Promise<void> {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-mnt-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', mnt]);
    try {
      await fn(mnt);
    } finally {
      execFileSync('umount', [mnt]);
      fs.rmdirSync(mnt);
    }
  }

  it.each(['noexec', 'ro'])('falls back to another directory when the preferred one is %s, and leaves no file anywhere', async (opts) => {
    await withMount(opts, async (mnt) => {
      const fallback = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-tmp-'));
      const r = await bare(['self-test'], { PTY_RELAY_CACHE_DIR: mnt, TMPDIR: fallback });
      expect(r.stdout).toBe('pty-self-test-ok\nsock-diag-ok\ntermios-ok\nholder-ok\ncode-cache-used\n');
      // node-pty's pty.node and our sock_diag.node and termios.node were unnamed copies: no cache.
      expect(fs.readdirSync(fallback)).toEqual([]);
      expect(fs.readdirSync(mnt)).toEqual([]);
      fs.rmSync(fallback, { recursive: true, force: true });
    });
  });

  it('says clearly what to do when no directory can hold it', async () => {
    await withMount('noexec', async (mnt) => {
      const r = await bare(['self-test'], { PTY_RELAY_CACHE_DIR: mnt, XDG_CACHE_HOME: mnt, TMPDIR: mnt, HOME: mnt });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/cannot load the embedded native addon pty\.node/);
      expect(r.stderr).toMatch(/Set PTY_RELAY_CACHE_DIR to a writable directory on a filesystem that allows executables \(not noexec\)/);
    });
  });
});

describe('make install and the systemd units', () => {
  it('installs, passes systemd-analyze verify, and uninstalls', async () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-prefix-'));
    execFileSync('make', ['-s', 'install', `PREFIX=${prefix}`], { cwd: ROOT, stdio: 'ignore' });
    const units = path.join(prefix, 'share/systemd/user');
    expect(fs.readlinkSync(path.join(prefix, 'bin/pty-client'))).toBe('pty-relay');
    const unit = fs.readFileSync(path.join(units, 'pty-relay.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${prefix}/bin/pty-relay serve`);
    // Upgrades: systemd follows the new main process and `reload` runs the handover.
    expect(unit).toMatch(new RegExp(`^Type=notify\nNotifyAccess=all\n[\\s\\S]*^ExecReload=${prefix}/bin/pty-relay upgrade$`, 'm'));
    // A template is verified through an instance of it.
    fs.copyFileSync(path.join(units, 'pty-tunnel@.service'), path.join(prefix, 'pty-tunnel@example.service'));
    for (const unit of [path.join(units, 'pty-relay.service'), path.join(prefix, 'pty-tunnel@example.service')]) {
      const r = await run(['systemd-analyze', 'verify', unit], '');
      expect({ unit, code: r.code, out: r.stdout + r.stderr }).toEqual({ unit, code: 0, out: '' });
    }
    execFileSync('make', ['-s', 'uninstall', `PREFIX=${prefix}`], { cwd: ROOT, stdio: 'ignore' });
    expect(fs.readdirSync(path.join(prefix, 'bin'))).toEqual([]);
    expect(fs.readdirSync(units)).toEqual([]);
    fs.rmSync(prefix, { recursive: true, force: true });
  });
});
