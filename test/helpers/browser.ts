// A real browser for the web terminal's tests: Debian's chromium driven by playwright-core (which
// downloads nothing). Every page records Content-Security-Policy violations (the page's own
// 'securitypolicyviolation' events), page errors and console errors, so a test can insist on none.
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { RELAY_BIN, type TestDaemon } from './daemon';

export const CHROMIUM = '/usr/bin/chromium';

// Starts headless chromium (root needs --no-sandbox; nothing else is changed).
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export interface WatchedPage {
  page: Page;
  problems(): Promise<string[]>; // CSP violations, uncaught errors, console errors
}

// A new page in its own context (its own cookies), watched for problems. `socketErrorsExpected`:
// a test that cuts connections on purpose, where chromium's "WebSocket … failed" lines are expected.
export async function openPage(browser: Browser, options: BrowserContextOptions = {}, socketErrorsExpected = false): Promise<WatchedPage> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await ctx.newPage();
  const errors: string[] = [];
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`CSP ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`));
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // The 403 page before sign-in is expected; anything else is not.
    if (m.type() !== 'error' || /status of 403/.test(m.text())) return;
    if (socketErrorsExpected && /^WebSocket connection to .* failed/.test(m.text())) return;
    errors.push(`console: ${m.text()}`);
  });
  return {
    page,
    problems: async () => [...errors, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))],
  };
}

// A test file's browser and the pages its tests open (each watched as openPage does). The file's
// hooks call launch() before all, closePages() after each test (expecting no problems), quit() last.
export class BrowserPages {
  browser: Browser | null = null;
  private pages: WatchedPage[] = [];

  async launch(): Promise<void> {
    this.browser = await launchBrowser();
  }

  // A new watched page in its own context (see openPage), closed by the next closePages().
  async open(options: BrowserContextOptions = {}, socketErrorsExpected = false): Promise<WatchedPage> {
    if (this.browser === null) throw new Error('BrowserPages.open before launch');
    const p = await openPage(this.browser, options, socketErrorsExpected);
    this.pages.push(p);
    return p;
  }

  // Closes every page opened since the last call; returns what they reported (see WatchedPage).
  async closePages(): Promise<string[]> {
    const problems: string[] = [];
    const open = this.pages;
    this.pages = [];
    for (const p of open) {
      problems.push(...(await p.problems()));
      await p.page.context().close();
    }
    return problems;
  }

  async quit(): Promise<void> {
    await this.browser?.close();
  }
}

// The URL `pty-relay web` prints for `d` (`extra`: --watch and friends). `port` replaces the
// daemon's port in the URL (a tunnel or proxy in front of it).
export function webUrl(d: TestDaemon, extra: string[] = [], port = d.port): string {
  const url = execFileSync(process.execPath, [RELAY_BIN, 'web', '--port', String(d.port), '--runtime-dir', d.runtime, ...extra], { encoding: 'utf8' }).trim();
  return url.replace(`localhost:${d.port}/`, `localhost:${port}/`);
}

// Waits until the page shows a live terminal.
export async function waitLive(page: Page, ms = 15_000): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { ptyRelay?: { status(): string } }).ptyRelay?.status() === 'live', null, { timeout: ms });
}

// Everything in the terminal's buffer (scrollback and screen), as text.
export function termText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { ptyRelay: { text(): string } }).ptyRelay.text());
}

// Waits until the terminal's text matches `re`; returns the text.
export async function waitText(page: Page, re: RegExp, ms = 15_000): Promise<string> {
  await page.waitForFunction(([src, flags]) => new RegExp(src, flags).test((window as unknown as { ptyRelay: { text(): string } }).ptyRelay.text()), [re.source, re.flags] as const, { timeout: ms });
  return termText(page);
}
