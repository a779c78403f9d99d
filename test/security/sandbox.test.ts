// Sandboxed sessions with the daemon as root (issue 24): bwrap confines the shell (no network, a
// read-only root, only its project directory writable, its own PID namespace) and cgroup v1
// enforces the caps; a memory hog and a fork bomb are stopped at their caps and the reply says so,
// while the daemon, other sessions and the same session go on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, webUrl } from '../helpers/browser';
import { nc, run } from '../helpers/clients';
import { relayMcp } from '../helpers/mcp';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { FORK_PROBE, filesScript, reachScript } from './sandbox-checks';

let d: TestDaemon;
const ex = (text: string, ms = 60_000): Promise<string> => nc(d.port, text, ms).then((r) => r.stdout);

// A directory root owns (0755) that the "rootdir" profile binds read-write.
const rootDir = fs.mkdtempSync('/var/tmp/pty-relay-sbx-root-');
fs.chmodSync(rootDir, 0o755);
const config = path.join(rootDir, '..', `${path.basename(rootDir)}.json`);

// What the shell is and may do: its ids, capabilities, sudo, /etc/shadow, the directories it writes,
// and what it sees of the session's directory (the one above its shell files).
const PRIVS_SCRIPT = [
  'echo "ids $(id -u) $(id -g) $(id -G)"',
  "grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status",
  'sudo -n id -u 2>&1 | head -1; echo "sudo-exit=${PIPESTATUS[0]}"',
  'cat /etc/shadow >/dev/null 2>&1 && echo shadow-read || echo shadow-refused',
  'echo x > pw.txt && echo project-writable',
  `echo "write-dir: $(touch ${rootDir}/x 2>&1)"`,
  'echo "session-dir: $(ls -A "${__pr_ack%/*}/..")"',
].join('\n');

// With the host's network: asks the daemon's port to run a command in an unsandboxed session.
const tcpEscapeScript = (port: number): string =>
  [
    "python3 - <<'PY'",
    'import socket',
    `s = socket.create_connection(("127.0.0.1", ${port}), 5)`,
    's.sendall(b"#!session outside\\necho escaped-$(id -u)\\n")',
    's.shutdown(socket.SHUT_WR)',
    'print("tcp:", s.recv(300).decode().strip())',
    'PY',
  ].join('\n');

beforeAll(async () => {
  fs.writeFileSync(config, JSON.stringify({ profiles: { rootdir: { write: [rootDir], network: 'host' } } }));
  d = await startDaemon({ args: ['--sandbox-config', config, '--web'] });
});

afterAll(async () => {
  await d?.stop();
  fs.rmSync(rootDir, { recursive: true, force: true });
  fs.rmSync(config, { force: true });
});

describe.skipIf(process.getuid?.() !== 0)('a sandboxed session (daemon as root)', () => {
  it('reaches no address, not even the daemon\'s own port', async () => {
    const out = await ex(`#!session net\n#!sandbox\n${reachScript(d.port)}\n`);
    expect(out).toContain('curl-exit=7');
    expect(out).toMatch(/refused 127\.0\.0\.1 111/); // ECONNREFUSED: nobody listens in its namespace
    expect(out).toMatch(/refused 192\.0\.2\.1 101/); // ENETUNREACH
    expect(out).not.toContain('reached');
    // The same script outside a sandbox does reach the daemon (the check can fail).
    expect(await ex(`#!session plain\n${reachScript(d.port)}\n`)).toContain('reached 127.0.0.1');
  });

  it('writes only its project directory and /tmp, and sees only its own processes', async () => {
    const outside = `/var/tmp/pty-relay-sandbox-${process.pid}`;
    const out = await ex(`#!session files\n#!sandbox\n${filesScript(outside)}\necho "home: $(ls -A ~)"; echo x > ~/in-home\n`);
    expect(out).toContain('inside-ok inside');
    expect(out).toContain('outside-refused');
    expect(out).toContain('etc-refused');
    expect(out).toContain('tmp-ok');
    expect(fs.existsSync(outside)).toBe(false);
    expect(fs.existsSync(path.join(d.home, 'in-home'))).toBe(false); // written to the tmpfs over $HOME
    expect(fs.readFileSync(path.join(d.home, 'pty-relay-sandbox/files/inside.txt'), 'utf8')).toBe('inside\n');
    // bwrap (its PID 1), the shell and ps: not the daemon, not other sessions' shells.
    expect(out).toMatch(/procs: bash bwrap ps \n/);
    expect(out).toContain('home: pty-relay-sandbox\n'); // $HOME is an empty tmpfs but for the project's mount point
  });

  it('runs its shell as an ordinary user (uid 65534): no capabilities, no way back to root', async () => {
    const out = await ex(`#!session who\n#!sandbox rootdir\n${PRIVS_SCRIPT}\n${tcpEscapeScript(d.port)}\n`);
    expect(out).toContain('ids 65534 65534 65534\n'); // uid, gid, and no other group
    expect(out).toMatch(/CapEff:\s+0+\n/);
    expect(out).toMatch(/CapBnd:\s+0+\n/);
    expect(out).toMatch(/NoNewPrivs:\s+1\n/);
    expect(out).toContain('sudo: The "no new privileges" flag is set');
    expect(out).toMatch(/sudo-exit=[1-9]/);
    expect(out).toContain('shadow-refused'); // root could read /etc/shadow (0640 root)
    expect(out).toContain('project-writable');
    // A directory the profile binds read-write but which root owns (0755) stays root's.
    expect(out).toMatch(/write-dir: .*Permission denied/);
    expect(fs.existsSync(path.join(rootDir, 'x'))).toBe(false);
    // Of the session's own directory it sees only sh/: not the holder's socket, not the journal.
    expect(out).toContain('session-dir: sh\n');
    // Its profile shares the host's network, but the root daemon serves only root: not uid 65534
    // (as uid 0 it was served: "escaped-0").
    expect(out).toMatch(/tcp: .*uid 65534/);
    expect(out).not.toContain('escaped');
    expect(fs.readdirSync(path.join(d.runtime, fs.readdirSync(d.runtime).find((n) => n.startsWith('d-')) as string, 'who')).sort()).toContain('sh');
  });

  it('works inside as outside for uid 65534: a job waiting for input, #!send, #!screen, MCP', async () => {
    const asked = await ex('#!session jobs\n#!sandbox\n#!timeout 20\nread -p "Name? " x </dev/tty; echo "hi $x from $(id -u)"\n');
    expect(asked).toMatch(/pty-relay: job 1 is waiting for input/);
    expect(await ex('#!session jobs\n#!screen\n')).toContain('Name? ');
    expect(await ex('#!session jobs\n#!send bob\\r\n')).toMatch(/^bob\nhi bob from 65534\npty-relay: job \d+ ended with exit status 0\n$/);
    const m = await relayMcp(['--port', String(d.port)]);
    try {
      const r = await m.call('run', { session: 'mcpbox', sandbox: 'default', command: 'echo "$(id -u) $(pwd)"' });
      expect(r.text).toContain(`65534 ${path.join(d.home, 'pty-relay-sandbox/mcpbox')}`);
      expect((await m.call('sessions')).text).toContain('sandbox mcpbox: profile default, network none, uid 65534; memory 512 MiB');
    } finally {
      await m.close();
    }
  });

  it('says in ls and #!status which caps are enforced, and by what', async () => {
    await ex('#!session shown\n#!sandbox\ntrue\n');
    await ex('#!session unboxed\ntrue\n');
    const caps = 'profile default, network none, uid 65534; memory 512 MiB (cgroup v1), cpu 0.5 CPU (cgroup v1), processes 100 (cgroup v1)';
    expect(await ex('#!session shown\n#!status\n')).toContain(`sandbox: ${caps}`);
    const ls = await run([process.execPath, RELAY_BIN, 'ls', '--port', String(d.port)], '');
    expect(ls.stdout).toContain(`sandbox shown: ${caps}`);
    expect(ls.stdout).not.toContain('sandbox plain');
    // The log said once what this host's cgroups allow (here: v1 only; a systemd host: v2 delegated).
    expect(d.logs.find((l) => l.evt === 'sandbox.cgroups')?.msg).toMatch(/^cgroup v2 (not )?delegated \(.*\): using v[12] for /);
    // The web page's session list says the same, in a real browser.
    const browser = await launchBrowser();
    try {
      const p = await openPage(browser);
      await p.page.goto(webUrl(d));
      await p.page.locator('.list-view').waitFor();
      expect(await p.page.locator('.session[data-session="shown"] dd.sandbox').textContent()).toBe(caps);
      expect(await p.page.locator('.session[data-session="unboxed"]').count()).toBe(1);
      expect(await p.page.locator('.session[data-session="unboxed"] dd.sandbox').count()).toBe(0);
      expect(await p.problems()).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('stops a memory hog at the memory cap, says so, and the shell lives on', async () => {
    const out = await ex('#!session hog\n#!sandbox\npython3 -c "b = bytearray(1 << 30); print(len(b))"\n');
    expect(out).toMatch(/pty-relay: the memory cap \(512 MiB, cgroup v1\) killed python3 \(pid \d+\)/);
    expect(out).toContain('exit status 137');
    expect(out).not.toContain('1073741824');
    expect(await ex('#!session hog\necho "same shell $$"\n')).toBe('same shell 2\n');
    expect(await ex('#!session plain\necho other session\n')).toBe('other session\n');
  });

  it('stops a fork bomb at the process cap, says so, and #!kill clears it', async () => {
    const first = await ex('#!session bomb\n#!sandbox\n#!timeout 1\nb() { b | b; }; b\n');
    expect(first).toContain('still running as job');
    // The bomb grows to the cap (bounded: pids.max 100) and its forks are refused.
    const said = await waitFor('the process cap to be reported', async () => {
      const r = await ex('#!session bomb\n#!timeout 1\n#!wait\n');
      return /the process cap \(100, cgroup v1\) refused \d+ forks?/.test(first + r) ? r : undefined;
    }, 60_000);
    expect(said).toBeDefined();
    const killed = await ex('#!session bomb\n#!kill\n');
    expect(killed).toMatch(/job \d+ stopped by SIG/);
    const after = await ex('#!session bomb\necho "alive $$ $(ps -e --no-headers | wc -l)"\n');
    // What the bomb's last forks printed after #!kill comes first, under one relay line (idle-output.test.ts).
    expect(after.replace(/^pty-relay: printed while no command ran [^\n]*\n[\s\S]*?(?=alive )/, '')).toMatch(/^alive 2 [1-5]\n$/); // bwrap, bash, the $( ) subshell, ps, wc
    expect(await ex(FORK_PROBE_IN('bomb'))).toContain('fork refused after');
    expect(await ex('#!session plain\necho still here\n')).toBe('still here\n');
  });

  it('refuses #!sandbox for a session that exists without one', async () => {
    const out = await ex('#!session plain\n#!sandbox\necho ran\n');
    expect(out).toContain('session "plain" exists already without a sandbox');
    expect(out).not.toContain('ran');
  });

  it('pty-relay new NAME --sandbox starts a sandboxed shell now', async () => {
    const r = await run([process.execPath, RELAY_BIN, 'new', 'made', '--sandbox', '--port', String(d.port)], '');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('session "made" started');
    expect(await ex('#!session made\n#!status\n')).toContain('sandbox: profile default, network none, uid 65534;');
    const bad = await run([process.execPath, RELAY_BIN, 'new', 'nope', '--sandbox', 'missing', '--port', String(d.port)], '');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('no sandbox profile "missing"');
  });
});

describe.skipIf(process.getuid?.() !== 0)('a sandboxed session and a daemon that crashes (holders)', () => {
  it('lives on in its holder; the next daemon keeps its sandbox, its caps and its cgroup (and is not hung by a FIFO planted as the job script), and removes them at the end', async () => {
    const d1 = await startDaemon();
    const on = (dd: TestDaemon, text: string): Promise<string> => nc(dd.port, text, 60_000).then((r) => r.stdout);
    let d2: TestDaemon | null = null;
    try {
      expect(await on(d1, '#!session kept\n#!sandbox\necho "inside $$"\n')).toBe('inside 2\n');
      const status = await on(d1, '#!session kept\n#!status\n');
      const pid = Number(/^pid: (\d+)$/m.exec(status)?.[1]);
      // The shell's own pid (the holder starts sh → bwrap → bwrap → bash), not a wrapper's.
      expect(fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim()).toBe('bash');
      // Its shell owns its sh/ directory: a FIFO where the job script was must not hang the next
      // daemon when it opens the script file afresh (open(2) of a FIFO with no reader blocks).
      expect(await on(d1, '#!session kept\nrm -f "${__pr_ack%/*}/job.sh"; mkfifo "${__pr_ack%/*}/job.sh" && echo planted\n')).toBe('planted\n');
      const memcg = /^\d+:memory:(\/.*)$/m.exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'latin1'))?.[1] as string;
      expect(path.basename(path.dirname(memcg))).toBe(`pty-relay-${d1.proc.pid}`);
      await d1.crash();
      d2 = await startDaemon({ reuse: { home: d1.home, runtime: d1.runtime } });
      await d2.waitLog('session.recovered', (l) => l.session === 'kept' && l.shell === true);
      const again = await on(d2, '#!session kept\n#!status\n');
      expect(again).toContain(`pid: ${pid}\n`);
      expect(again).toContain('sandbox: profile default, network none, uid 65534; memory 512 MiB (cgroup v1)');
      expect(await on(d2, '#!session kept\necho "inside $$"\n')).toBe('inside 2\n');
      expect(await on(d2, `#!session kept\n${reachScript(d2.port)}\n`)).toContain('curl-exit=7');
      // The cgroup is the same one, and the adopted sandbox reads its counters.
      const hog = await on(d2, '#!session kept\npython3 -c "b = bytearray(1 << 30); print(len(b))"\n');
      expect(hog).toMatch(/pty-relay: the memory cap \(512 MiB, cgroup v1\) killed python3 \(pid \d+\)/);
      expect(fs.existsSync(path.join('/sys/fs/cgroup/memory', memcg))).toBe(true);
      expect(await d2.stop()).toBe(0);
      // The session's cgroup and the dead daemon's parent of it are gone.
      expect(fs.existsSync(path.join('/sys/fs/cgroup/memory', path.dirname(memcg)))).toBe(false);
    } finally {
      if (d2 !== null && d2.proc.exitCode === null) await d2.stop();
    }
  });
});

// The fork probe in session `s` (sandboxed already): the cap refuses a fork before 100.
function FORK_PROBE_IN(s: string): string {
  return `#!session ${s}\n${FORK_PROBE}\n`;
}
