// The web terminal in a real browser (Debian's chromium through playwright-core): sign in with the
// printed URL, list, attach, type; watch links; resume after a cut connection; full-screen and
// mouse programs restored on attach; a phone-sized touch screen. No page may report a CSP violation.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPages, termText, waitLive, waitText, webUrl, type WatchedPage } from '../helpers/browser';
import { nc } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { startProxy } from '../helpers/proxy';

const SHOTS = path.resolve(__dirname, '../../dist/screenshots');
let d: TestDaemon;
const pages = new BrowserPages();

beforeAll(async () => {
  d = await startDaemon({ args: ['--web'] });
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

// A signed-in page (the URL's key traded for the cookie), at `where` ('/?s=…' or '/').
async function signedIn(url: string, where: string, options: Parameters<BrowserPages['open']>[0] = {}, socketErrorsExpected = false): Promise<WatchedPage> {
  const p = await pages.open(options, socketErrorsExpected);
  await p.page.goto(url);
  await p.page.waitForSelector('body[data-scope]');
  if (where !== '/') await p.page.goto(new URL(where, url).toString());
  // A link that starts a session asks for a click first (a page another site opened must not).
  if (where.includes('new=1')) await p.page.getByRole('button', { name: 'Start session' }).click();
  return p;
}

const relay = (cmd: string, ...args: string[]): string => execFileSync(process.execPath, [RELAY_BIN, cmd, '--port', String(d.port), ...args], { encoding: 'utf8' });
const ptyRelay = <T>(p: WatchedPage, fn: string): Promise<T> => p.page.evaluate((f) => (window as unknown as Record<string, Record<string, () => unknown>>).ptyRelay![f]!() as T, fn);

// Waits until session `name` printed at least `bytes` bytes.
async function waitBytes(name: string, bytes: number): Promise<void> {
  await waitFor(`session ${name} output`, () => {
    const s = (JSON.parse(relay('ls', '--json')) as Array<{ name: string; bytes: number }>).find((x) => x.name === name);
    return s !== undefined && s.bytes >= bytes ? true : undefined;
  });
}

describe('the web terminal in chromium', () => {
  it('signs in with the printed URL, lists sessions, attaches and types', async () => {
    expect((await nc(d.port, '#!session listed\necho made-$((2+3))\n')).stdout).toBe('made-5\n');
    const url = webUrl(d);
    const p = await signedIn(url, '/');
    const { page } = p;
    // The key left the address bar, and the cookie is HttpOnly, SameSite=Strict and named for the port.
    expect(page.url()).toBe(`http://localhost:${d.port}/`);
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([[`pty_relay_${d.port}`, true, 'Strict']]);
    const row = page.locator('.session[data-session="listed"]');
    await row.waitFor();
    // A shell session's row says what it ran last and how that ended (issue 26).
    expect(await row.innerText()).toMatch(/listed[\s\S]*exit 0 · \d+s ago[\s\S]*echo made-\$\(\(2\+3\)\)[\s\S]*0 clients/);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-list.png') });

    await row.getByRole('button', { name: 'Open' }).click();
    await waitLive(page);
    await page.locator('.xterm').click();
    await page.keyboard.type('echo hello-$((6*7))\n');
    expect(await waitText(page, /^hello-42$/m)).toContain('echo hello-$((6*7))');
    // The recent-commands panel lists the exec job from before.
    await page.locator('.jobs-panel .cmd', { hasText: 'echo made-$((2+3))' }).waitFor();
    expect(await page.locator('.jobs-panel .badge.ok').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-terminal.png') });
  });

  it('gives a watch link that sees the output but cannot type or resize', async () => {
    const writer = await signedIn(webUrl(d), '/?s=shared&new=1');
    await waitLive(writer.page);
    const watcher = await signedIn(webUrl(d, ['--watch', 'shared']), '/', { viewport: { width: 700, height: 500 } });
    await waitLive(watcher.page);
    expect(await watcher.page.locator('body').getAttribute('data-scope')).toBe('ro');
    expect(await watcher.page.locator('.bar .tag.ro').innerText()).toBe('watching');
    expect(await watcher.page.locator('.keybar, button:has-text("End"), button:has-text("Share")').count()).toBe(0);

    await writer.page.locator('.xterm').click();
    await writer.page.keyboard.type('echo from-writer-$((1+1))\n');
    await waitText(watcher.page, /^from-writer-2$/m);
    // The watcher types: nothing reaches the shell.
    await watcher.page.locator('.xterm').click();
    await watcher.page.keyboard.type('echo typed-by-watcher\n');
    await writer.page.keyboard.type('stty size; echo after-$((2+2))\n');
    const text = await waitText(watcher.page, /^after-4$/m);
    expect(text).not.toContain('typed-by-watcher');
    expect(await termText(writer.page)).not.toContain('typed-by-watcher');
    // The session keeps the writer's size, not the (smaller) watcher's.
    const size = await ptyRelay<{ cols: number; rows: number }>(writer, 'size');
    expect(text).toMatch(new RegExp(`^${size.rows} ${size.cols}$`, 'm'));
    expect(size.cols).toBeGreaterThan(100);
  });

  it('resumes after the connection is cut mid-stream, showing every line exactly once', async () => {
    const proxy = await startProxy(d.port);
    try {
      // (Chromium logs the cut connection as a console error; that one is expected here.)
      const p = await signedIn(webUrl(d, [], proxy.port), '/?s=nums&new=1', {}, true);
      await waitLive(p.page);
      await p.page.locator('.xterm').click();
      await p.page.keyboard.type('for i in $(seq 1 3000); do echo line-$i; if (( i % 50 == 0 )); then sleep 0.05; fi; done; echo END-$((40+2))\n');
      await waitText(p.page, /^line-600$/m);
      expect(await termText(p.page)).not.toMatch(/^END-42$/m); // still streaming when cut
      expect(proxy.cut()).toBeGreaterThan(0);
      const text = await waitText(p.page, /^END-42$/m, 30_000);
      const nums = text.split('\n').filter((l) => /^line-\d+$/.test(l)).map((l) => Number(l.slice(5)));
      expect(nums).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
      // It really reconnected, and resumed rather than redrawing.
      await d.waitLog('attach.attached', (l) => l.session === 'nums' && typeof l.resume === 'number');
    } finally {
      await proxy.close();
    }
  });

  it('restores a vim screen (alternate screen) and a mouse-mode program (SGR mouse) on attach', async () => {
    const file = path.join(d.home, 'notes.txt');
    fs.writeFileSync(file, 'first line of the file\nsecond line\n');
    relay('new', 'vimsess', '--', 'vim', '-u', 'NONE', '-N', file);
    await waitBytes('vimsess', 200);
    // Watching: no resize, so nothing makes vim redraw; all of it comes from the daemon's mirror.
    const vim = await signedIn(webUrl(d), '/?s=vimsess&watch=1');
    await waitLive(vim.page);
    const text = await waitText(vim.page, /first line of the file/);
    expect(await ptyRelay(vim, 'buffer')).toBe('alternate');
    expect(text).toMatch(/^~\s*$/m);

    const out = path.join(d.home, 'mouse.out');
    const script = `printf '\\e[?1000h\\e[?1006h'; echo MOUSE-READY; stty raw -echo; IFS= read -rd M x; stty sane; printf '%q\\n' "$x" > ${out}; sleep 600`;
    relay('new', 'mouse', '--', 'bash', '--norc', '-c', script);
    await waitBytes('mouse', 20);
    const m = await signedIn(webUrl(d), '/?s=mouse');
    await waitLive(m.page);
    await waitText(m.page, /MOUSE-READY/);
    expect(await ptyRelay(m, 'mouse')).toBe('vt200');
    const box = (await m.page.locator('.xterm-screen').boundingBox())!;
    await m.page.mouse.click(box.x + 60, box.y + 40);
    const got = await waitFor('the mouse report', () => (fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes('\n') ? fs.readFileSync(out, 'utf8') : undefined));
    expect(got).toMatch(/^\$'\\E\[<0;\d+;\d+'\n$/);
  });

  it('fits a 390x844 touch screen at full width with the key bar, and never shrinks a shared session', async () => {
    const phoneOpts = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const phone = await signedIn(webUrl(d), '/?s=phone&new=1', phoneOpts);
    await waitLive(phone.page);
    await phone.page.locator('.keybar').waitFor();
    const term = (await phone.page.locator('.xterm-screen').boundingBox())!;
    expect(term.x).toBeLessThan(12);
    expect(term.width).toBeGreaterThan(390 - 30);
    expect(term.x + term.width).toBeLessThanOrEqual(390);
    const bar = (await phone.page.locator('.keybar').boundingBox())!;
    expect(bar.y + bar.height).toBeLessThanOrEqual(844);
    for (const k of ['Escape', 'Tab', 'Ctrl', 'Alt', 'Left', 'Up', 'Down', 'Right', 'Ctrl-C']) await phone.page.getByRole('button', { name: k, exact: true }).waitFor();
    // The compose box types a line; ^C interrupts what runs.
    const compose = phone.page.getByRole('textbox', { name: 'Compose input' });
    await compose.fill('sleep 100');
    await compose.press('Enter');
    await phone.page.getByRole('button', { name: 'Ctrl-C', exact: true }).click();
    await compose.fill('echo composed-$((3*3))');
    await compose.press('Enter');
    await waitText(phone.page, /^composed-9$/m);
    await phone.page.screenshot({ path: path.join(SHOTS, 'phone-terminal.png') });

    // A session a desktop already shows keeps the desktop's size; the phone scales and offers to fit.
    const desk = await signedIn(webUrl(d), '/?s=wide&new=1');
    await waitLive(desk.page);
    let deskSize = await ptyRelay<{ cols: number; rows: number }>(desk, 'size');
    const guest = await signedIn(webUrl(d), '/?s=wide', phoneOpts);
    await waitLive(guest.page);
    const fit = guest.page.getByRole('button', { name: 'Fit to this screen' });
    await fit.waitFor();
    // The desktop fits itself (and so the session) to its window in steps that may reach the daemon
    // after the phone attached: the phone follows them. Wait until both show the same size.
    const shared = await waitFor('the phone to show the shared size', async () => {
      const g = await ptyRelay<{ cols: number; rows: number; font: number }>(guest, 'size');
      const k = await ptyRelay<{ cols: number; rows: number }>(desk, 'size');
      return g.cols === k.cols && g.rows === k.rows ? { g, k } : undefined;
    }, 20_000);
    deskSize = shared.k;
    const guestSize = shared.g;
    // The shared size is the desktop's, not the phone's (which fits under 70 columns, below).
    expect(guestSize.cols).toBeGreaterThan(100);
    expect(guestSize.font).toBeLessThan(13);
    await guest.page.screenshot({ path: path.join(SHOTS, 'phone-guest.png') });
    await guest.page.waitForTimeout(0);
    expect(await ptyRelay<{ cols: number }>(desk, 'size')).toMatchObject({ cols: deskSize.cols });
    // Asked to, it fits the session to itself, and the desktop follows.
    await fit.click();
    const fitted = await ptyRelay<{ cols: number; rows: number }>(guest, 'size');
    expect(fitted.cols).toBeLessThan(70);
    await desk.page.waitForFunction((cols) => (window as unknown as { ptyRelay: { size(): { cols: number } } }).ptyRelay.size().cols === cols, fitted.cols);
  });
});
