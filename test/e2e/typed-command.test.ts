// A person's own command (typed in pty-client or the web page's terminal, not an agent's exec job)
// shows in the session rows as its text: `pty-relay ls`, `#!jobs`, the web page's list and recent
// commands (issue 26). The shell reports the line in a T mark when Return accepts it.
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { launchBrowser, openPage, waitLive, waitText, webUrl, type WatchedPage } from '../helpers/browser';
import { nc, run } from '../helpers/clients';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const PROMPT = /^prompt>\s*$/m;
let d: TestDaemon;
let tmux: Tmux | undefined;
let browser: Browser | undefined;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  d = await startDaemon({ args: ['--web'], bashrc: "PS1='prompt> '\n" });
});
afterEach(async () => {
  tmux?.kill();
  tmux = undefined;
  for (const p of pages.splice(0)) {
    expect(await p.problems()).toEqual([]);
    await p.page.context().close();
  }
});
afterAll(async () => {
  await browser?.close();
  expect(await d.stop()).toBe(0);
});

function client(t: Tmux, name: string, session: string): void {
  t.start(name, [process.execPath, CLIENT_BIN, '--port', String(d.port), session], { HOME: d.home });
}

interface Row {
  name: string;
  activity?: { command: string; origin: string; state: string } | null;
}
async function row(session: string): Promise<Row | undefined> {
  const r = await run([process.execPath, RELAY_BIN, 'ls', '--json', '--port', String(d.port)], '');
  return (JSON.parse(r.stdout) as Row[]).find((s) => s.name === session);
}

it('shows the command a person typed in pty-client in `pty-relay ls`, #!jobs and #!status', async () => {
  tmux = new Tmux();
  client(tmux, 'a', 'typed');
  await tmux.waitScreen('a', PROMPT);
  tmux.type('a', 'echo typed-$((6*7)); sleep 600');
  await tmux.waitScreen('a', /^typed-42$/m);
  const a = await waitFor('the typed job in ls --json', async () => {
    const r = await row('typed');
    return r?.activity?.state === 'running' ? r.activity : undefined;
  });
  expect(a).toMatchObject({ command: 'echo typed-$((6*7)); sleep 600', origin: 'terminal' });
  const text = await run([process.execPath, RELAY_BIN, 'ls', '--port', String(d.port)], '');
  expect(text.stdout).toMatch(/^typed .*running .*echo typed-\$\(\(6\*7\)\); sleep 600$/m);
  expect((await nc(d.port, '#!session typed\n#!jobs\n')).stdout).toMatch(/\n1 +running .* echo typed-\$\(\(6\*7\)\); sleep 600\n$/);
  expect((await nc(d.port, '#!session typed\n#!status\n')).stdout).toMatch(/\nrunning: job 1: `echo typed-\$\(\(6\*7\)\); sleep 600` since /);
  tmux.keys('a', 'C-c');
  await tmux.waitScreen('a', /^typed-42\n(.*\n)?prompt> *$/m);
  // A command continued on a second line (PS2) shows its first line and a count; an agent's
  // exec job in between keeps its own text.
  expect((await nc(d.port, '#!session typed\necho agent-$((1+1))\n')).stdout).toBe('agent-2\n');
  expect((await row('typed'))?.activity).toMatchObject({ command: 'echo agent-$((1+1))', origin: 'exec' });
  tmux.type('a', 'for i in 1 2; do');
  tmux.type('a', 'echo loop-$i; done');
  await tmux.waitScreen('a', /^loop-2$/m);
  await waitFor('the loop in ls', async () => ((await row('typed'))?.activity?.command === 'for i in 1 2; do (+1 line)' ? true : undefined));
});

it("shows a command typed in the web page's terminal in its session list and recent commands", async () => {
  browser = await launchBrowser();
  const p = await openPage(browser);
  pages.push(p);
  const { page } = p;
  const url = webUrl(d);
  await page.goto(url);
  await page.waitForSelector('body[data-scope]');
  await page.goto(new URL('/?s=webtyped&new=1', url).toString());
  await page.getByRole('button', { name: 'Start session' }).click();
  await waitLive(page);
  await page.locator('.xterm').click();
  await page.keyboard.type('echo typed-$((6*7))\n');
  await waitText(page, /^typed-42$/m);
  await page.locator('.jobs-panel .cmd', { hasText: 'echo typed-$((6*7))' }).waitFor();
  expect(await page.locator('.jobs-panel .cmd').allInnerTexts()).toContain('echo typed-$((6*7))');
  // The session list (the page's start view) says it too.
  await page.goto(new URL('/', url).toString());
  const listed = page.locator('.session[data-session="webtyped"] .command');
  await listed.waitFor();
  await waitFor('the list row', async () => ((await listed.innerText()) === 'echo typed-$((6*7))' ? true : undefined));
});
