// The web page in a real browser against what other pages and programs can do to it (issue 20):
// a login link works once and briefly and the key never reaches the browser's history (9); a
// cookie planted by another localhost port locks nobody out (11); a navigation from another
// localhost port neither starts a session nor resizes one until the person clicks (12); and the
// page never answers terminal queries on the user's behalf (8).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebTokens } from '../../src/daemon/web/token';
import { decodeMessage } from '../../src/protocol/decoder';
import { FrameType } from '../../src/protocol/frame';
import { BrowserPages, CHROMIUM, waitLive, waitText, webUrl, type WatchedPage } from '../helpers/browser';
import { nc } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';

let d: TestDaemon;
let token: string;
const pages = new BrowserPages();
// Another web server on loopback: "a page on any other localhost port".
let evil: http.Server;
let evilPage = '';

const sessions = (): string[] => (JSON.parse(execFileSync(process.execPath, [RELAY_BIN, 'ls', '--json', '--port', String(d.port)], { encoding: 'utf8' })) as Array<{ name: string }>).map((s) => s.name);
const sizeOf = async (s: string): Promise<string> => (await nc(d.port, `#!session ${s}\nstty size </dev/tty\n`)).stdout.trim();

beforeAll(async () => {
  d = await startDaemon({ args: ['--web'] });
  token = fs.readFileSync(path.join(d.runtime, 'web-token'), 'utf8').trim();
  await pages.launch();
  evil = http.createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(evilPage));
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  expect(await pages.closePages()).toEqual([]);
});
afterAll(async () => {
  await pages.quit();
  evil?.close();
  expect(JSON.stringify(d.logs)).not.toContain(token);
  expect(await d.stop()).toBe(0);
});

const open = (): Promise<WatchedPage> => pages.open();
const evilUrl = (): string => `http://localhost:${(evil.address() as { port: number }).port}/`;

describe('the web page against other pages and programs', () => {
  it('signs in once with a short-lived code; a replayed or expired link fails; the key is in no URL or history file', async () => {
    const link = webUrl(d);
    expect(link).toMatch(new RegExp(`^http://localhost:${d.port}/#c=\\d+\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$`));
    expect(link).not.toContain(token);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-profile-'));
    try {
      const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ['--no-sandbox'] });
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(link);
      await page.waitForSelector('body[data-scope="rw"]');
      await ctx.close(); // writes History to disk
      const leaks: string[] = [];
      const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const f = path.join(dir, e.name);
          if (e.isDirectory()) walk(f);
          else if (e.isFile() && fs.readFileSync(f).includes(token)) leaks.push(path.relative(profile, f));
        }
      };
      walk(profile);
      expect(leaks).toEqual([]);
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
    // The same link in another browser: spent.
    const again = await open();
    await again.page.goto(link);
    await again.page.locator('#msg', { hasText: 'not valid' }).waitFor();
    expect(await again.page.locator('body[data-scope]').count()).toBe(0);
    // A code of ours that expired a minute ago.
    const expired = `http://localhost:${d.port}/#c=${new WebTokens(path.join(d.runtime, 'web-token')).loginCode(Math.floor(Date.now() / 1000) - 360)}`;
    const late = await open();
    await late.page.goto(expired);
    await late.page.locator('#msg', { hasText: 'not valid' }).waitFor();
    // An old-style key link is not used.
    const old = await open();
    await old.page.goto(`http://localhost:${d.port}/#t=${token}`);
    await old.page.locator('#msg', { hasText: 'no longer accepted' }).waitFor();
    expect(old.page.url()).not.toContain(token);
    expect(await old.page.locator('body[data-scope]').count()).toBe(0);
  });

  it('stays signed in when a page on another localhost port planted a cookie of the same name (cookie tossing)', async () => {
    const p = await open();
    evilPage = `<script>document.cookie = 'pty_relay_${d.port}=planted; path=/ws'; document.title = 'planted';</script>`;
    await p.page.goto(evilUrl());
    await waitFor('the planted cookie', async () => ((await p.page.context().cookies()).some((c) => c.value === 'planted') ? true : undefined));
    await p.page.goto(webUrl(d));
    await p.page.waitForSelector('body[data-scope="rw"]');
    await nc(d.port, '#!session tossed\necho x\n');
    await p.page.goto(`http://localhost:${d.port}/?s=tossed`);
    await waitLive(p.page);
    await p.page.locator('.xterm').click();
    await p.page.keyboard.type('echo tossed-$((2*4))\n');
    await waitText(p.page, /^tossed-8$/m);
  });

  it('neither starts nor resizes a session for a page on another port that navigates the browser, until a click', async () => {
    expect((await nc(d.port, '#!session victim\necho x\n')).stdout).toBe('x\n');
    const before = await sizeOf('victim');
    const p = await open();
    await p.page.goto(webUrl(d));
    await p.page.waitForSelector('body[data-scope="rw"]');
    // The other page sends the signed-in browser to a link that starts a session.
    evilPage = `<script>location = 'http://localhost:${d.port}/?s=forced&new=1';</script>`;
    await p.page.goto(evilUrl());
    await p.page.getByRole('button', { name: 'Start session' }).waitFor();
    expect(sessions()).not.toContain('forced');
    await p.page.getByRole('button', { name: 'Cancel' }).click();
    expect(sessions()).not.toContain('forced');
    // ... and to an existing session: attached, shown, not resized.
    evilPage = `<script>location = 'http://localhost:${d.port}/?s=victim';</script>`;
    await p.page.goto(evilUrl());
    await waitLive(p.page);
    await nc(d.port, '#!session victim\necho seen-$((3+4))\n');
    await waitText(p.page, /^seen-7$/m);
    expect(await sizeOf('victim')).toBe(before);
    // The person clicks in the page: now it is theirs to size.
    await p.page.locator('.xterm').click();
    await waitFor('the click to resize the session', async () => ((await sizeOf('victim')) !== before ? true : undefined));
  });

  it('never answers terminal queries a program prints, while the person still types', async () => {
    await nc(d.port, '#!session q\necho x\n');
    const p = await open();
    const sent: Uint8Array[] = [];
    p.page.on('websocket', (ws) =>
      ws.on('framesent', (fr) => {
        if (typeof fr.payload === 'string') return;
        const f = decodeMessage(new Uint8Array(fr.payload));
        if (f.type === FrameType.INPUT) sent.push(f.data);
      }),
    );
    await p.page.goto(webUrl(d));
    await p.page.waitForSelector('body[data-scope="rw"]');
    await p.page.goto(`http://localhost:${d.port}/?s=q`);
    await waitLive(p.page);
    await p.page.locator('.xterm').click();
    // DA1, DA2, DSR 5 and 6, DEC DSR, DECRQM (ANSI and DEC), DECRQSS, OSC 10/11/12 and OSC 4 colour
    // queries, window reports; then a marker: once it is drawn, every query before it was parsed.
    const queries = String.raw`\e[c\e[>c\e[5n\e[6n\e[?6n\e[4$p\e[?2004$p\eP$qm\e\\\e]10;?\a\e]11;?\a\e]12;?\e\\\e]4;1;?\a\e[14t\e[16t\e[18t`;
    await nc(d.port, `#!session q\nprintf '${queries}'; echo queries-$((5*5))\n`);
    await waitText(p.page, /queries-25/);
    await p.page.keyboard.type('echo typed-$((9*9))\n');
    await waitText(p.page, /^typed-81$/m);
    const all = Buffer.concat(sent).toString('latin1');
    expect(all).toContain('echo typed-$((9*9))');
    expect(all).not.toContain('\x1b');
  });
});
