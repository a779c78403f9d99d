// The web page for the person who delegates (issue 26), in real chromium: the agent's commands as
// typed, sessions that need the person (list, tab title, a notification while the tab is hidden),
// each recent command's output, and signing a phone in from the QR code `pty-relay web --qr` prints.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import jsQR from 'jsqr';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { BrowserPages, waitLive, waitText, webUrl, type WatchedPage } from '../helpers/browser';
import { nc } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';

const SHOTS = path.resolve(__dirname, '../../dist/screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
let d: TestDaemon;
const pages = new BrowserPages();

beforeAll(async () => {
  d = await startDaemon({ args: ['--web'], bashrc: "PS1='dev@vm:\\w$ '\n" });
  await pages.launch();
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterEach(async () => {
  expect(await pages.closePages()).toEqual([]);
});
afterAll(async () => {
  await pages.quit();
  expect(await d.stop()).toBe(0);
});

async function signedIn(url: string, options: Parameters<BrowserPages['open']>[0] = {}): Promise<WatchedPage> {
  const p = await pages.open(options);
  // Headless chromium reports every tab visible (bringToFront, window.open and a minimized window
  // all leave it 'visible'), so the page's visibility is switched here; the notifications are
  // the browser's own. Each one shown is recorded.
  await p.page.addInitScript(() => {
    const w = window as unknown as { __hidden: boolean; __notes: Array<{ title: string; body: string }> };
    w.__hidden = false;
    w.__notes = [];
    Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
    const Real = window.Notification;
    window.Notification = new Proxy(Real, {
      construct(target, args: [string, NotificationOptions?]) {
        w.__notes.push({ title: args[0], body: args[1]?.body ?? '' });
        return Reflect.construct(target, args) as object;
      },
    });
  });
  await p.page.goto(url);
  await p.page.waitForSelector('body[data-scope]');
  return p;
}

const hide = (p: WatchedPage, hidden: boolean): Promise<void> =>
  p.page.evaluate((h) => {
    (window as unknown as { __hidden: boolean }).__hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

it('shows a watcher the command the agent ran, marked, then its output, and no __pr_', async () => {
  expect((await nc(d.port, '#!session seen\ntrue\n')).stdout).toBe('');
  const p = await signedIn(webUrl(d, ['--watch', 'seen']));
  await waitLive(p.page);
  expect((await nc(d.port, '#!session seen\necho seen-$((6*7))\n')).stdout).toBe('seen-42\n');
  const text = await waitText(p.page, /\$ \[agent\] echo seen-\$\(\(6\*7\)\)\nseen-42\n/);
  expect(text).not.toContain('__pr_');
  await p.page.screenshot({ path: path.join(SHOTS, 'desktop-agent-command.png') });
});

it('marks a session whose job waits for input, in the list and the title, and notifies a hidden tab', async () => {
  expect((await nc(d.port, '#!session quiet\ntrue\n')).stdout).toBe('');
  const p = await signedIn(webUrl(d), { permissions: ['notifications'] });
  const { page } = p;
  await page.locator('.session[data-session="quiet"]').waitFor();
  await hide(p, true);
  // The job stops at a prompt; the exec reply comes back at its timeout, the job waits on.
  const r = await nc(d.port, "#!session quiet\n#!timeout 1\nread -p 'Deploy to prod? [y/N] ' answer </dev/tty; echo \"answer=$answer\"\n");
  expect(r.stdout).toMatch(/Deploy to prod\? \[y\/N\] /);
  const notes = await page.waitForFunction(() => {
    const n = (window as unknown as { __notes: Array<{ title: string; body: string }> }).__notes;
    return n.length > 0 ? n : null;
  }, null, { timeout: 15_000 });
  expect(await notes.jsonValue()).toEqual([{ title: 'quiet: waiting for input', body: 'Deploy to prod? [y/N]' }]);
  await hide(p, false);
  const row = page.locator('.session.needs-you[data-session="quiet"]');
  await row.waitFor();
  expect(await row.innerText()).toMatch(/needs input[\s\S]*read -p 'Deploy to prod\? \[y\/N\] ' answer <\/dev\/tty; echo[\s\S]*Deploy to prod\? \[y\/N\]/);
  expect(await page.title()).toBe('(1) needs you · pty-relay');
  await page.screenshot({ path: path.join(SHOTS, 'desktop-needs-you.png') });
  // The ls table says the same.
  expect(execFileSync(process.execPath, [RELAY_BIN, 'ls', '--port', String(d.port)], { encoding: 'utf8' })).toMatch(/\nquiet .* NEEDS INPUT \d+s +read -p 'Deploy to prod\? \[y\/N\] ' answer <\/dev\/tty; echo "\.\.\.\n/);
  // Answered: the need is gone, and the exit status shows.
  expect((await nc(d.port, '#!session quiet\n#!send y\\n\n')).stdout).toMatch(/answer=y/);
  await page.locator('.session:not(.needs-you)[data-session="quiet"]').waitFor();
  expect(await page.locator('.session[data-session="quiet"] .state').innerText()).toMatch(/^exit 0 · \d+s ago$/);
  expect(await page.title()).toBe('pty-relay');
});

it('opens a recent command\'s output with its status and duration, and marks what ran since the last look', async () => {
  expect((await nc(d.port, '#!session hist\nseq 1 20000; exit 3\n')).stdout).toMatch(/^1\n2\n[\s\S]*\n20000\n/);
  const p = await signedIn(webUrl(d), PHONE);
  const { page } = p;
  const row = page.locator('.session.needs-you[data-session="hist"]');
  await row.waitFor();
  expect(await row.innerText()).toMatch(/exit 3 · \d+s ago[\s\S]*1 new[\s\S]*seq 1 20000; exit 3/);
  await page.screenshot({ path: path.join(SHOTS, 'phone-list-needs-you.png') });
  await row.locator('a.name').click();
  await waitLive(page);
  const item = page.locator('.jobs li.new[data-job]').first();
  await item.waitFor();
  expect(await page.locator('.jobs-panel .since').innerText()).toBe('1 new since you last looked');
  await item.locator('button.cmd').click();
  const dialog = page.locator('dialog.output-dialog');
  await dialog.waitFor();
  await page.waitForFunction(() => /20000\n$/.test(document.querySelector('dialog.output-dialog pre')?.textContent ?? ''));
  const meta = await dialog.locator('.meta').innerText();
  expect(meta).toMatch(/✗ 3[\s\S]*started [\s\S]*took /);
  const pre = (await dialog.locator('pre').textContent()) ?? '';
  expect(pre.length).toBeLessThanOrEqual(64 * 1024);
  expect(pre).not.toMatch(/^1\n/); // the last page only, until asked
  await page.screenshot({ path: path.join(SHOTS, 'phone-job-output.png') });
  await dialog.getByRole('button', { name: 'Show earlier output' }).click();
  await page.waitForFunction(() => (document.querySelector('dialog.output-dialog pre')?.textContent ?? '').startsWith('1\n2\n'));
  expect(await dialog.locator('.note').innerText()).toMatch(/^Bytes 0–108894 of 108894\. Any range: printf '#!session hist\\n#!output \d+ FROM TO\\n'/);
});

it('prints a QR code of a one-time sign-in link that a phone can use', async () => {
  const out = execFileSync(process.execPath, [RELAY_BIN, 'web', '--qr', '--port', String(d.port), '--runtime-dir', d.runtime], { encoding: 'utf8' });
  const lines = out.split('\n').filter((l) => l !== '');
  const link = lines.pop() as string;
  expect(link).toMatch(new RegExp(`^http://localhost:${d.port}/#c=\\d+\\.[\\w-]+\\.[\\w-]+$`));
  // Read the half blocks back into modules and decode them with an independent decoder.
  const cells = lines.map((l) => [...l.replace(/\x1b\[[0-9;]*m/g, '')]);
  const w = (cells[0] as string[]).length;
  const scale = 4;
  const px = new Uint8ClampedArray(w * scale * cells.length * 2 * scale * 4).fill(255);
  cells.forEach((row, y) =>
    row.forEach((ch, x) => {
      for (const [half, dark] of [[0, ch === '█' || ch === '▀'], [1, ch === '█' || ch === '▄']] as const) {
        if (!dark) continue;
        for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) px.fill(0, (((y * 2 + half) * scale + dy) * w * scale + x * scale + dx) * 4, (((y * 2 + half) * scale + dy) * w * scale + x * scale + dx) * 4 + 3);
      }
    }),
  );
  const decoded = jsQR(px, w * scale, cells.length * 2 * scale);
  expect(decoded?.data).toBe(link);
  // The phone opens what it read and is signed in.
  const p = await pages.open(PHONE);
  await p.page.goto(decoded!.data);
  await p.page.waitForSelector('body[data-scope="rw"]');
  await p.page.locator('.list-view').waitFor();
});
