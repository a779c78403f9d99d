// Sandboxed sessions with the daemon run by an ordinary user (made here with useradd, run through
// runuser): bwrap confines the shell the same way through a user namespace, but this host lets only
// root write cgroups, so the default profile's memory and CPU caps cannot be enforced: it is
// refused, saying why; a profile that accepts that runs with the process cap as an rlimit in the
// sandbox's own user namespace (which binds) and says which caps are not enforced.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { collectLogs, RELAY_BIN } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { SecondUser } from '../helpers/second-user';
import { FORK_PROBE, filesScript, reachScript } from './sandbox-checks';

const root = process.getuid?.() === 0;
const user = new SecondUser('sbx');
let home = '';
let runtime = ''; // outside /tmp (which is private inside a sandbox), so that only the sandbox's own hiding keeps it out
let daemon: ChildProcess | null = null;
let port = 0;
const ex = (text: string): Promise<string> => nc(port, text, 60_000).then((r) => r.stdout);

beforeAll(async () => {
  if (!root) return;
  user.create();
  // Outside /tmp, which the sandbox's private /tmp would cover (and so hide a HOME under it).
  home = user.dir(fs.mkdtempSync('/var/tmp/pty-relay-sbx-user-'), 0o700);
  const config = path.join(home, 'sandbox.json');
  const lenient = { unenforced: 'allow' };
  const shared = user.dir(path.join(home, 'shared'), 0o700); // a `write` directory in the read-only home
  const profiles = { lenient, rohome: { ...lenient, home: 'read-only', write: [shared] }, smalltmp: { ...lenient, tmpSize: '4M' } };
  fs.writeFileSync(config, JSON.stringify({ profiles }));
  fs.writeFileSync(path.join(home, 'note.txt'), 'a note\n', { mode: 0o600 });
  for (const f of [config, path.join(home, 'note.txt')]) fs.chownSync(f, user.uid, user.uid);
  runtime = user.dir(fs.mkdtempSync('/var/tmp/pty-relay-sbx-rt-'), 0o700);
  // --allow-root: this test (root) is the client of the user's daemon.
  daemon = spawn('runuser', ['-u', user.name, '--', 'env', `HOME=${home}`, process.execPath, RELAY_BIN, 'serve', '--port', '0', '--allow-root', '--runtime-dir', runtime, '--sandbox-config', config], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', HOME: home, LANG: 'C.UTF-8' },
    cwd: home,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, stderr } = collectLogs(daemon);
  const listening = await waitFor('the daemon to listen', () => {
    if (daemon?.exitCode !== null) throw new Error(`daemon exited: ${stderr()}`);
    return logs.find((l) => l.evt === 'server.listening');
  }, 15_000);
  port = listening.port as number;
});

afterAll(async () => {
  if (daemon !== null && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon?.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  if (home !== '') fs.rmSync(home, { recursive: true, force: true });
  if (runtime !== '') fs.rmSync(runtime, { recursive: true, force: true });
  if (root) user.remove();
});

describe.skipIf(!root)('a sandboxed session (daemon as an ordinary user)', () => {
  it('refuses the default profile, whose memory and CPU caps only root can enforce here', async () => {
    const out = await ex('#!session strict\n#!sandbox\necho ran\n');
    expect(out).toContain('error: sandbox profile "default" asks for caps this host cannot fully enforce');
    expect(out).toContain(`(uid ${user.uid})`);
    expect(out).toContain("memory 512 MiB (rlimit DATA, per process, not the session's total), cpu 0.5 CPU (NOT enforced)");
    expect(out).toContain('"unenforced": "allow"');
    expect(out).not.toContain('ran');
    // As the daemon's user: a client checks that the daemon is its own (PR_ERR_NOT_OURS otherwise).
    const r = await run(['runuser', '-u', user.name, '--', 'env', `HOME=${home}`, process.execPath, RELAY_BIN, 'new', 'strict2', '--sandbox', '--port', String(port)], '');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cannot fully enforce');
    expect(await ex('#!status\n')).not.toContain('strict'); // no session was made
  });

  it('runs a profile that accepts it, and says which caps hold and by what', async () => {
    const status = await ex('#!session easy\n#!sandbox lenient\n#!status\n');
    const said = "profile lenient, network none; memory 512 MiB (rlimit DATA, per process, not the session's total), cpu 0.5 CPU (NOT enforced), processes 100 (rlimit NPROC in its own user namespace)";
    expect(status).toContain(`sandbox: ${said}`);
    const ls = await run(['runuser', '-u', user.name, '--', 'env', `HOME=${home}`, process.execPath, RELAY_BIN, 'ls', '--port', String(port)], '');
    expect(ls.stdout).toContain(`sandbox easy: ${said}\n`);
  });

  it('confines the shell as it does for root', async () => {
    const net = await ex(`#!session easy\n${reachScript(port)}\n`);
    expect(net).toContain('curl-exit=7');
    expect(net).toMatch(/refused 127\.0\.0\.1 111/);
    expect(net).toMatch(/refused 192\.0\.2\.1 101/);
    const outside = path.join(home, 'outside.txt');
    const files = await ex(`#!session easy\n${filesScript(outside)}\nid -u\n`);
    expect(files).toContain('inside-ok inside');
    expect(files).toContain('etc-refused');
    expect(files).toContain('tmp-ok');
    expect(files).toMatch(/procs: bash bwrap ps \n/);
    expect(files).toContain(`\n${user.uid}\n`);
    expect(await ex('#!session easy\ngrep NoNewPrivs /proc/self/status\n')).toMatch(/^NoNewPrivs:\s+1\n$/);
    expect(fs.existsSync(outside)).toBe(false); // $HOME is an empty tmpfs inside
    expect(fs.readFileSync(path.join(home, 'pty-relay-sandbox/easy/inside.txt'), 'utf8')).toBe('inside\n');
  });

  it('home "hidden": an empty tmpfs of its own (writable, thrown away); "read-only": the real one, unwritable', async () => {
    const hidden = await ex('#!session hid\n#!sandbox lenient\necho "home: $(ls -A ~)"; cat ~/note.txt 2>&1 | sed "s/^cat: //"; echo x > ~/note.txt && echo wrote-tmpfs\n');
    expect(hidden).toContain('home: pty-relay-sandbox\n'); // only the project's mount point
    expect(hidden).toContain(`${home}/note.txt: No such file or directory\n`);
    expect(hidden).toContain('wrote-tmpfs\n');
    const ro = await ex(`#!session roh\n#!sandbox rohome\ncat ~/note.txt; echo more >> ~/note.txt; touch ~/new.txt 2>&1 | sed "s/^touch: //"; echo x > p.txt && echo project-writable; echo y > ~/shared/w.txt && echo write-dir-writable\n`);
    expect(ro).toContain('a note\n'); // its own 0600 file: readable
    expect(ro).toContain(`${home}/note.txt: Read-only file system\n`);
    expect(ro).toContain(`cannot touch '${home}/new.txt': Read-only file system\n`);
    expect(ro).toContain('project-writable\n');
    expect(ro).toContain('write-dir-writable\n');
    expect(fs.readFileSync(path.join(home, 'shared/w.txt'), 'utf8')).toBe('y\n');
    expect(fs.readFileSync(path.join(home, 'note.txt'), 'utf8')).toBe('a note\n');
    expect(fs.existsSync(path.join(home, 'new.txt'))).toBe(false);
  });

  it('bounds the private /tmp: a write past it fails with ENOSPC, the reply says so, the shell lives on', async () => {
    const full = await ex('#!session tiny\n#!sandbox smalltmp\nhead -c 10M /dev/zero > /tmp/fill; echo "head-exit=$?"; echo "kept $(stat -c %s /tmp/fill)"\n');
    expect(full).toContain('No space left on device');
    expect(full).toContain('head-exit=1');
    expect(Number(/kept (\d+)/.exec(full)?.[1])).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(full).toContain(`pty-relay: the private /tmp (4 MiB, the profile's tmpSize) is full: writing there fails with "No space left on device"; remove what is not needed\n`);
    expect(await ex('#!session tiny\nrm /tmp/fill; echo "same shell $$"\n')).toBe('same shell 2\n');
  });

  it("cannot reach the daemon's unix socket (same uid: it would be served) nor its runtime directory", async () => {
    const sock = path.join(runtime, 'relay.sock');
    expect(fs.existsSync(sock)).toBe(true);
    const out = await ex(`#!session easy\n${unixEscapeScript(sock)}\necho "runtime: $(ls -A ${runtime} 2>&1)"\n`);
    expect(out).toContain('unix-refused');
    expect(out).not.toContain('escaped');
    expect(out).toMatch(/runtime: d-\w+\n/); // a tmpfs holding only the way to the session's sh/
    // The same script outside a sandbox is served (the check can fail).
    expect(await ex(`#!session other\n${unixEscapeScript(sock)}\n`)).toContain('escaped');
  });

  it('the process cap (an rlimit) refuses forks; the memory rlimit stops one hog; the shell lives', async () => {
    const forks = await ex(`#!session easy\n${FORK_PROBE}\n`);
    const m = /fork refused after (\d+) Resource temporarily unavailable/.exec(forks);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThan(100);
    const hog = await ex('#!session easy\npython3 -c "b = bytearray(1 << 30)" 2>&1 | tail -1\n');
    expect(hog).toContain('MemoryError');
    expect(await ex('#!session easy\necho "alive $$"\n')).toBe('alive 2\n');
    expect(await ex('#!session other\necho unsandboxed $(id -u)\n')).toBe(`unsandboxed ${user.uid}\n`);
  });
});

// Asks the daemon, through its unix socket, to run a command in another session: a way out.
function unixEscapeScript(sock: string): string {
  return [
    "python3 - <<'PY'",
    'import socket',
    's = socket.socket(socket.AF_UNIX)',
    'try:',
    `    s.connect(${JSON.stringify(sock)})`,
    '    s.sendall(b"#!session outside\\necho escaped-$(id -u)\\n")',
    '    s.shutdown(socket.SHUT_WR)',
    '    print(s.recv(200).decode().strip())',
    'except OSError as e:',
    '    print("unix-refused", e.errno)',
    'PY',
  ].join('\n');
}
