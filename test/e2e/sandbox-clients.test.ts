// Every client works with a sandboxed session as with any other (issue 24): pty-client attached
// over the attach protocol (in tmux), the web page's terminal (chromium), MCP (the SDK's client)
// and exec's jobs, #!send, #!screen, #!kill, #!output. The profile accepts caps this host cannot
// enforce, so that the test runs as root (cgroups; the shell runs as uid 65534) and as anyone else
// (the shell runs as the daemon's user in a user namespace); either way `ps` in the session shows
// bwrap as its PID 1, so a command that ran outside the sandbox cannot pass for one inside.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPages, waitLive, waitText, webUrl } from '../helpers/browser';
import { nc, run } from '../helpers/clients';
import { relayMcp } from '../helpers/mcp';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const uid = process.getuid?.() === 0 ? 65534 : (process.getuid?.() as number);
// What a shell in the sandbox prints for WHO: its uid, bwrap as PID 1, and a sum (typed, not echoed back).
const inside = (who: string): string => `echo "${who}-$(id -u)-$(ps -o comm= -p 1)-$((6*7))"`;
const insideRe = (who: string): RegExp => new RegExp(`^${who}-${uid}-bwrap-42$`, 'm');
let d: TestDaemon;
let tmux: Tmux | null = null;
const pages = new BrowserPages();
const ex = (text: string): Promise<string> => nc(d.port, text, 60_000).then((r) => r.stdout);

const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-sbx-clients-'));

beforeAll(async () => {
  const config = path.join(configDir, 'sandbox.json');
  const box = { unenforced: 'allow' };
  fs.writeFileSync(config, JSON.stringify({ profiles: { box, brief: { ...box, idleTimeout: 0.5 } } }));
  d = await startDaemon({ args: ['--web', '--sandbox-config', config] });
  await pages.launch();
});
afterEach(async () => {
  tmux?.kill();
  tmux = null;
  expect(await pages.closePages()).toEqual([]);
});
afterAll(async () => {
  await pages.quit();
  expect(await d.stop()).toBe(0);
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('a sandboxed session and its clients', () => {
  it('pty-client attaches over the attach protocol, types, sees exec output, detaches and reattaches', async () => {
    const made = await run([process.execPath, RELAY_BIN, 'new', 'att', '--sandbox', 'box', '--port', String(d.port)], '');
    expect(made.stdout).toContain('session "att" started');
    tmux = new Tmux();
    tmux.start('a', [process.execPath, CLIENT_BIN, '--port', String(d.port), 'att'], { HOME: d.home });
    await tmux.waitScreen('a', /\$$/m); // its prompt (the screen's trailing spaces are trimmed)
    tmux.type('a', inside('typed'));
    await tmux.waitScreen('a', insideRe('typed'));
    // An exec request runs in the same sandboxed shell, and the attached terminal sees it.
    expect(await ex(`#!session att\n${inside('exec')}\n`)).toMatch(insideRe('exec'));
    await tmux.waitScreen('a', insideRe('exec'));
    tmux.keys('a', 'C-\\');
    await tmux.waitScreen('a', /detached from session "att"; it keeps running/);
    tmux.start('b', [process.execPath, CLIENT_BIN, '--port', String(d.port), 'att'], { HOME: d.home });
    await tmux.waitScreen('b', insideRe('exec')); // the screen as it was
    tmux.type('b', inside('again'));
    await tmux.waitScreen('b', insideRe('again'));
  });

  it("the web page's terminal opens it from the list (which names its sandbox) and types into it", async () => {
    expect(await ex('#!session web\n#!sandbox box\ntrue\n')).toBe('');
    const p = await pages.open();
    await p.page.goto(webUrl(d));
    const row = p.page.locator('.session[data-session="web"]');
    await row.waitFor();
    expect(await row.locator('dd.sandbox').textContent()).toMatch(/^profile box, network none/);
    await row.getByRole('button', { name: 'Open' }).click();
    await waitLive(p.page);
    await p.page.locator('.xterm').click();
    await p.page.keyboard.type(`${inside('web')}\n`);
    await waitText(p.page, insideRe('web'));
    expect(await ex('#!session web\necho "same shell $$"\n')).toBe('same shell 2\n');
  });

  it('MCP starts it, runs, answers a prompt with send, reads the screen and kills a job', async () => {
    const m = await relayMcp(['--port', String(d.port)]);
    try {
      const made = await m.call('new_session', { name: 'mcp', sandbox: 'box' });
      expect(made.text).toContain('in sandbox profile "box"');
      expect((await m.call('run', { session: 'mcp', command: inside('mcp') })).text).toMatch(insideRe('mcp'));
      const asked = await m.call('run', { session: 'mcp', command: 'read -p "Name? " N </dev/tty; echo "hi $N from $(id -u)"', timeout: 20 });
      expect(asked.structured).toMatchObject({ state: 'waiting-for-input' });
      expect((await m.call('screen', { session: 'mcp' })).text).toMatch(/^Name\?$/m);
      const sent = await m.call('send', { session: 'mcp', text: 'bob\n', timeout: 20 });
      expect(sent.text).toContain(`hi bob from ${uid}\n`);
      const slow = await m.call('run', { session: 'mcp', command: 'echo started; sleep 600', timeout: 1 });
      expect(slow.structured).toMatchObject({ state: 'running' });
      expect(slow.text).toMatch(/^started\n/);
      const killed = await m.call('kill', { session: 'mcp', job: slow.structured?.job as number });
      expect(killed.structured?.state).toBe('done');
      expect((await m.call('run', { session: 'mcp', command: 'echo "after $$"' })).text).toMatch(/^after 2\n/);
      expect((await m.call('sessions')).text).toMatch(/sandbox mcp: profile box, network none/);
    } finally {
      await m.close();
    }
  });

  it("exec's jobs: #!jobs, #!output, #!send, #!screen and #!kill inside", async () => {
    const first = await ex('#!session jobs\n#!sandbox box\n#!timeout 20\necho begun; read -p "Go? " g </dev/tty; echo "got $g"\n');
    expect(first).toMatch(/^begun\nGo\? [\s\S]*job 1 is waiting for input/);
    expect(await ex('#!session jobs\n#!screen\n')).toMatch(/^Go\?\npty-relay: screen .* job 1 is waiting for input\n$/m);
    expect(await ex('#!session jobs\n#!send yes\\r\n')).toMatch(/^yes\ngot yes\npty-relay: job 1 ended with exit status 0\n$/);
    expect(await ex('#!session jobs\n#!output 1\n')).toContain('got yes');
    expect(await ex('#!session jobs\n#!timeout 1\nsleep 600\n')).toMatch(/still running as job 2/);
    expect(await ex('#!session jobs\n#!jobs\n')).toMatch(/^2 +running .*sleep 600$/m);
    expect(await ex('#!session jobs\n#!kill\n')).toMatch(/job 2 stopped by SIG/);
    expect(await ex(`#!session jobs\n${inside('last')}\n`)).toMatch(insideRe('last'));
  });

  it("ends a session idle past its profile's idleTimeout, and only that one", async () => {
    expect(await ex('#!session brief\n#!sandbox brief\necho "profile brief"\n')).toBe('profile brief\n');
    await d.waitLog('session.idle_timeout', (l) => l.session === 'brief');
    const ls = await run([process.execPath, RELAY_BIN, 'ls', '--port', String(d.port)], '');
    expect(ls.stdout).not.toMatch(/^brief /m);
    expect(ls.stdout).toMatch(/^att /m); // profile box (an hour), idle for longer than half a second
  });
});
