// Who gets in: other local users are refused, the unix socket is private, the shared secret is
// required and never logged, browsers are turned away, and the audit log says what happened.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType } from '../../src/protocol/frame';
import { nc, relayExec, run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { startDaemonAs } from '../helpers/daemon-as';
import { within } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';

const OTHER = `prtest${process.pid % 100000}`;
let otherUid = 0;

beforeAll(() => {
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER]);
  otherUid = Number(execFileSync('id', ['-u', OTHER], { encoding: 'utf8' }).trim());
});
afterAll(() => {
  execFileSync('userdel', [OTHER]);
});

// Runs a client as the other user.
function asOther(argv: string[], input: string) {
  return run(['runuser', '-u', OTHER, '--', ...argv], input);
}

describe.each(['netlink', 'proc'])('another local user (peer uid via %s)', (method) => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ env: method === 'proc' ? { PTY_RELAY_PEER_UID: 'proc' } : {} });
    // The daemon says which lookup it uses; the addon is built by make build, so netlink is there.
    await d.waitLog('server.peer_uid', (l) => l.method === method);
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it.each([
    ['127.0.0.1', ['nc.openbsd', '-N', '127.0.0.1']],
    ['::1', ['nc.openbsd', '-N', '::1']],
  ])('is refused over TCP (%s), and nothing runs', async (_, argv) => {
    const marker = path.join(d.home, `ran-${Math.random()}`);
    const r = await asOther([...argv, String(d.port)], `touch ${marker}\n`);
    expect(r.stdout).toBe(`pty-relay: error: connections from uid ${otherUid} are not allowed; this daemon serves uid ${process.getuid!()} only\n`);
    await d.waitLog('conn.refused', (l) => l.reason === 'uid' && l.uid === otherUid);
    expect(fs.existsSync(marker)).toBe(false);
    expect((await nc(d.port, 'echo owner-ok\n')).stdout).toBe('owner-ok\n');
  });

  it('cannot open the unix socket, which is 0600 in a 0700 directory', async () => {
    const ready = await d.waitLog('server.listening');
    const sock = (ready.addresses as string[]).find((a) => a.startsWith('unix:'))!.slice(5);
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(sock)).mode & 0o777).toBe(0o700);
    const r = await asOther(['nc.openbsd', '-N', '-U', sock], 'echo nope\n');
    expect(r.stdout).toBe('');
    expect(r.code).not.toBe(0);
    const mine = await run(['nc.openbsd', '-N', '-U', sock], 'echo via-unix-$((2+3))\n');
    expect(mine.stdout).toBe('via-unix-5\n');
    const viaExec = await run([process.execPath, RELAY_BIN, 'exec', '--socket', sock, '--', 'echo', 'exec-unix'], '');
    expect(viaExec.stdout).toBe('exec-unix\n');
  });
});

it('can listen on the unix socket only (--host none)', async () => {
  const rt = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-rt-'));
  const sock = path.join(rt, 'only.sock');
  const { spawn } = await import('node:child_process');
  const proc = spawn(process.execPath, [RELAY_BIN, 'serve', '--host', 'none', '--socket', sock, '--runtime-dir', rt], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await within('listening', new Promise<void>((resolve) => proc.stdout.on('data', () => /server\.listening/.test(out) && resolve())), 15_000);
  expect(out).toContain(`"addresses":["unix:${sock}"]`);
  expect((await run(['nc.openbsd', '-N', '-U', sock], 'echo unix-only\n')).stdout).toBe('unix-only\n');
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  fs.rmSync(rt, { recursive: true, force: true });
});

describe('root, when the daemon runs as another user', () => {
  // The daemon runs as OTHER; root (this test) is refused unless --allow-root.
  async function daemonAsOther(extra: string[]): Promise<{ port: number; stop(): Promise<void> }> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-other-'));
    execFileSync('chown', [OTHER, home]);
    fs.chmodSync(home, 0o700);
    const d = await startDaemonAs(OTHER, { home, args: extra });
    return {
      port: d.port,
      stop: async () => {
        await d.stop();
        fs.rmSync(home, { recursive: true, force: true });
      },
    };
  }

  it('refuses root by default', async () => {
    const d = await daemonAsOther([]);
    expect((await nc(d.port, 'id -u\n')).stdout).toBe(`pty-relay: error: connections from uid 0 are not allowed; this daemon serves uid ${otherUid} only\n`);
    await d.stop();
  });

  it('lets root in with --allow-root', async () => {
    const d = await daemonAsOther(['--allow-root']);
    expect((await nc(d.port, 'id -u\n')).stdout).toBe(`${otherUid}\n`);
    await d.stop();
  });
});

describe('a shared secret', () => {
  const SECRET = `s3cr3t-${Math.random().toString(36).slice(2)}`;
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ env: { PTY_RELAY_SECRET: SECRET } });
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('is required from exec clients, and compared exactly', async () => {
    expect((await nc(d.port, 'echo no-auth\n')).stdout).toBe('pty-relay: error: authentication required: start the request with a #!auth SECRET line\n');
    expect((await nc(d.port, '#!auth wrong\necho bad-auth\n')).stdout).toBe('pty-relay: error: authentication failed\n');
    expect((await nc(d.port, `#!auth ${SECRET}x\necho bad-auth\n`)).stdout).toBe('pty-relay: error: authentication failed\n');
    expect((await nc(d.port, `#!auth ${SECRET}\necho authed\n`)).stdout).toBe('authed\n');
  });

  it('is sent by pty-relay exec from PTY_RELAY_SECRET or a 0600 file', async () => {
    const r = await run([process.execPath, RELAY_BIN, 'exec', '--port', String(d.port), '--', 'echo', 'env-ok'], '', 30_000, { PTY_RELAY_SECRET: SECRET });
    expect(r.stdout).toBe('env-ok\n');
    const file = path.join(d.home, 'secret');
    fs.writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    expect((await relayExec(d.port, ['--secret-file', file, '--', 'echo', 'file-ok'])).stdout).toBe('file-ok\n');
    fs.chmodSync(file, 0o644);
    const loose = await relayExec(d.port, ['--secret-file', file, '--', 'echo', 'x']);
    expect(loose.code).toBe(2);
    expect(loose.stderr).toMatch(/is readable by others; chmod 600 it/);
  });

  it('is required from attach clients', async () => {
    const c = new FrameClient(d.port);
    c.hello();
    await within('close', c.closed, 10_000);
    expect(c.frames.find((f) => f.type === FrameType.ERROR)).toMatchObject({ body: { code: 'PR_ERR_AUTH' } });
    const ok = new FrameClient(d.port);
    ok.send({ type: FrameType.HELLO, body: { proto: 1, caps: [], agent: 't', auth: SECRET } });
    ok.attach('authed', null);
    await ok.waitFrame(FrameType.SCREEN);
    ok.socket.destroy();
  });

  it('never appears in the log', () => {
    const log = JSON.stringify(d.logs);
    expect(log).toContain('exec.auth_failed');
    expect(log).not.toContain(SECRET);
  });
});

describe('the audit log', () => {
  it('records connections, exec requests and sessions, and command text only when asked', async () => {
    const plain = await startDaemon();
    await nc(plain.port, 'echo audit-marker-one; exit_code() { return 3; }; exit_code\n');
    const done = await plain.waitLog('exec.done');
    expect(done).toMatchObject({ session: 'default', reason: 'exit', status: 3 });
    expect(typeof done.ms).toBe('number');
    expect(done.bytes).toBeGreaterThan(10);
    expect(await plain.waitLog('conn.accepted')).toMatchObject({ uid: process.getuid!() });
    await plain.waitLog('session.spawned');
    expect(JSON.stringify(plain.logs)).not.toContain('audit-marker-one');
    await plain.stop();

    const verbose = await startDaemon({ args: ['--log-commands'] });
    await nc(verbose.port, 'echo audit-marker-two\n');
    expect((await verbose.waitLog('exec.done')).command).toBe('echo audit-marker-two\n');
    await verbose.stop();
  });
});
