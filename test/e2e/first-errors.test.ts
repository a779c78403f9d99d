// The errors a first-time user meets, through the built binary: each names its cause and the next
// step. A closed port, a missing socket, a missing or wrong secret, a tunnel to nowhere, another
// program on the port, a daemon of another user.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { startDaemonAs, type DaemonAs } from '../helpers/daemon-as';
import { freePort, Sshd } from '../helpers/sshd';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const DOCTOR = 'try `pty-relay doctor`';
const relay = (args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof run> => run([process.execPath, RELAY_BIN, ...args], '', 30_000, { PTY_RELAY_SECRET: '', ...env });
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

it('a closed port: "nothing listens on …: is the tunnel up?", from exec, ls, kill and new', async () => {
  const port = String(await freePort());
  const want = new RegExp(`^pty-relay: nothing listens on localhost:${port}: is the tunnel up\\? ${esc(DOCTOR)} \\(connect ECONNREFUSED \\S+\\) \\[PR_ERR_CONNECT\\]\\n$`);
  for (const args of [['exec', '-p', port, '--', 'true'], ['ls', '-p', port], ['kill', '-p', port, 'x'], ['new', '-p', port, 'x', '--', 'true']]) {
    const r = await relay(args);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(want);
  }
});

it('a missing unix socket, and a secret file that is not there', async () => {
  const sock = path.join(os.tmpdir(), `no-such-dir-${process.pid}`, 'relay.sock');
  const r = await relay(['exec', '--socket', sock, '--', 'true']);
  expect(r.code).toBe(255);
  expect(r.stderr).toMatch(new RegExp(`^pty-relay: no unix socket at ${esc(sock)}: is the daemon running \\(\`systemctl --user status pty-relay\`\\)\\? ${esc(DOCTOR)} `));
  const s = await relay(['ls', '--secret-file', '/nonexistent-secret']);
  expect(s.code).toBe(2);
  expect(s.stderr).toMatch(/^pty-relay: cannot read the secret file \/nonexistent-secret: create it \(mode 600\) holding the daemon's secret, or unset PTY_RELAY_SECRET_FILE /);
});

describe('a daemon with a secret', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ env: { PTY_RELAY_SECRET: 'the-secret' } });
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('exec says to set PTY_RELAY_SECRET, or that the one set is wrong', async () => {
    const none = await relay(['exec', '-p', String(d.port), '--', 'true']);
    expect(none.code).toBe(255);
    // The daemon's words and the client's hint both go to stderr; stdout is the command's alone.
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('pty-relay: error: authentication required: start the request with a #!auth SECRET line\npty-relay: the daemon has a shared secret: set PTY_RELAY_SECRET, or pass --secret-file FILE (mode 600)\n');
    const wrong = await relay(['exec', '-p', String(d.port), '--', 'true'], { PTY_RELAY_SECRET: 'nope' });
    expect(wrong.stderr).toBe("pty-relay: error: authentication failed\npty-relay: the daemon rejected the secret: PTY_RELAY_SECRET or --secret-file must hold the daemon's secret\n");
  });

  it('ls names the code and the fix', async () => {
    const none = await relay(['ls', '-p', String(d.port)]);
    expect(none.code).toBe(255);
    expect(none.stderr).toBe('pty-relay: authentication required: set PTY_RELAY_SECRET or --secret-file [PR_ERR_AUTH]\n');
    const wrong = await relay(['ls', '-p', String(d.port)], { PTY_RELAY_SECRET: 'nope' });
    expect(wrong.stderr).toBe("pty-relay: authentication failed: PTY_RELAY_SECRET or --secret-file must hold the daemon's secret [PR_ERR_AUTH]\n");
  });
});

describe('the wrong thing on the port', () => {
  let sshd: Sshd;
  const tunnels: Array<{ kill(): void }> = [];
  beforeAll(async () => {
    sshd = new Sshd();
    await sshd.start();
  });
  afterAll(() => {
    for (const t of tunnels) t.kill();
    sshd.stop();
  });

  it('a tunnel whose far end has nothing: "closed it without a word"', async () => {
    const local = await freePort();
    tunnels.push(await sshd.tunnel(local, await freePort()));
    const want = new RegExp(`^pty-relay: localhost:${local} accepted the connection and closed it without a word: if it is an SSH tunnel, nothing listens at its far end \\(is the daemon running on the server\\?\\); ${esc(DOCTOR)}`);
    for (const args of [['exec', '-p', String(local), '--', 'true'], ['ls', '-p', String(local)]]) {
      const r = await relay(args);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(want);
    }
  });

  it('another program: "does not speak pty-relay", or says nothing at all', async () => {
    const r = await relay(['ls', '-s', '127.0.0.1', '-p', String(sshd.port)]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(new RegExp(`^pty-relay: 127\\.0\\.0\\.1:${sshd.port} does not speak pty-relay \\(it said "SSH-2\\.0-OpenSSH[^"]*"\\): is another program listening there\\? ${esc(DOCTOR)} \\[PR_ERR_PROTOCOL\\]\\n$`));

    // A listener that accepts and never answers: doctor gives up on it after its deadline.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const doc = await relay(['doctor', '--client', '-s', '127.0.0.1', '-p', String(port)]);
      expect(doc.code).toBe(1);
      expect(doc.stdout).toMatch(new RegExp(`^problem +daemon +127\\.0\\.0\\.1:${port} accepts connections but gives no pty-relay answer; fix: another program listens there: .*$`, 'm'));
    } finally {
      silent.close();
    }
  });
});

describe("another user's daemon", () => {
  const OTHER = `prdoc${process.pid % 100000}`;
  let home = '';
  let daemon: DaemonAs | null = null;
  let port = 0;
  let uid = 0;
  beforeAll(async () => {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER]);
    uid = Number(execFileSync('id', ['-u', OTHER], { encoding: 'utf8' }).trim());
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-other-'));
    execFileSync('chown', [OTHER, home]);
    daemon = await startDaemonAs(OTHER, { home });
    port = daemon.port;
  });
  afterAll(async () => {
    await daemon?.stop();
    fs.rmSync(home, { recursive: true, force: true });
    execFileSync('userdel', [OTHER]);
  });

  // The client finds out first: the listener is not its own user's (client/server-check.ts), so
  // it sends nothing, not even its HELLO.
  it('doctor names it, and pty-client stops at once instead of retrying for ever, having sent nothing', async () => {
    const me = process.getuid!();
    const doc = await relay(['doctor', '--client', '-p', String(port)]);
    expect(doc.code).toBe(1);
    expect(doc.stdout).toMatch(new RegExp(
      `^problem +daemon +refusing localhost:${port}: it is served by uid ${uid}, not you \\(uid ${me}\\); nothing was sent\\. .*; fix: find who listens there`,
      'm',
    ));
    const tmux = new Tmux();
    try {
      tmux.start('c', [process.execPath, CLIENT_BIN, '-p', String(port)], {}, 250, 20);
      expect(await tmux.exitStatus('c')).toBe(255);
      expect(tmux.screen('c').replace(/\n/g, '')).toContain(`[pty-client] error: refusing localhost:${port}: it is served by uid ${uid}, not you (uid ${me}); nothing was sent.`);
    } finally {
      tmux.kill();
    }
  });
});

it('pty-client says why it cannot connect when it gives up', async () => {
  const port = await freePort();
  const tmux = new Tmux();
  try {
    tmux.start('c', [process.execPath, CLIENT_BIN, '-p', String(port), '--max-retries', '1'], {}, 250, 20);
    expect(await tmux.exitStatus('c')).toBe(255);
    expect(tmux.screen('c')).toContain(`[pty-client] giving up after 1 reconnect attempts (nothing listens on localhost:${port}: is the tunnel up? ${DOCTOR})`);
  } finally {
    tmux.kill();
  }
});
