// A drive-by page in a real browser (headless Chromium): a page served from another loopback port
// makes the browser send `http://localhost:PORT/x;touch$IFS/…;true` + 'a'.repeat(N) to the daemon,
// by a top-level navigation, a form POST and an <img>, for N on both sides of 4 KiB and 8 KiB (the
// old windows, issue 20 finding 1). With and without --web, no file may appear.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { startDaemon, type LogLine, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';

const LENGTHS = [4200, 8300, 20_000];

// The daemon's line about an attempt's request: refused (exec mode, or the web side's 414 for a
// request line past 8 KiB), or served as a path of at least `n` bytes (not the /favicon.ico that
// Chromium asks for after showing the refusal, on a connection it keeps).
function handled(l: LogLine, n: number): boolean {
  if (l.evt === 'exec.refused' || l.evt === 'web.refused' || l.evt === 'exec.done') return true;
  return l.evt === 'web.request' && Number(/^\(other, (\d+) bytes\)$/.exec(String(l.path))?.[1]) >= n;
}

// The attacker's page for one attempt: `how` is nav, form or img.
function attackPage(how: string, url: string): string {
  const u = JSON.stringify(url);
  const js = {
    nav: `location.href = ${u};`,
    form: `const f = document.createElement('form'); f.method = 'POST'; f.enctype = 'text/plain'; f.action = ${u};
           const i = document.createElement('input'); i.name = 'x'; i.value = 'y'; f.appendChild(i); document.body.appendChild(f); f.submit();`,
    img: `const img = new Image(); img.src = ${u}; document.body.appendChild(img);`,
  }[how];
  return `<!doctype html><html><body><script>${js}</script></body></html>`;
}

describe.each([
  ['without --web', [] as string[]],
  ['with --web', ['--web']],
])('a drive-by page against the daemon %s', (_, args) => {
  let d: TestDaemon;
  let browser: Browser;
  let evil: http.Server;
  let evilPort = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-driveby-'));
  const pages = new Map<string, string>();

  beforeAll(async () => {
    d = await startDaemon({ args });
    browser = await launchBrowser();
    evil = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(pages.get(req.url ?? '') ?? '');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilPort = (evil.address() as { port: number }).port;
  });
  afterAll(async () => {
    await browser?.close();
    evil?.close();
    expect(await d?.stop()).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['nav', 'form', 'img'])('%s: no file appears', async (how) => {
    for (const n of LENGTHS) {
      const file = path.join(dir, `${how}-${n}`);
      const url = `http://localhost:${d.port}/x;touch$IFS${file};true${'a'.repeat(n)}`;
      pages.set(`/${how}-${n}`, attackPage(how, url));
      // A browser context of its own for each attempt: one that showed the last refusal keeps a
      // connection to the daemon (its /favicon.ico request's, answered with keep-alive), and a
      // request sent there later meets Node's HTTP parser, which answers a line past 16 KiB with
      // 431 itself and logs nothing of ours; a fresh context opens a fresh connection.
      const ctx = await browser.newContext();
      try {
        const logged = d.logs.length;
        const page = await ctx.newPage();
        // The attack page loads from 127.0.0.1:evilPort, another origin than localhost:PORT.
        await page.goto(`http://127.0.0.1:${evilPort}/${how}-${n}`).catch(() => undefined);
        // Until the daemon has dealt with the browser's request (a navigation may end in an error page).
        // (On a connection it accepted meanwhile: no late line about an earlier attempt counts.)
        const reached = (): true | undefined => {
          const lines = d.logs.slice(logged);
          const conns = new Set(lines.filter((l) => l.evt === 'conn.accepted').map((l) => l.conn));
          return lines.some((l) => conns.has(l.conn) && handled(l, n)) ? true : undefined;
        };
        await waitFor(`the daemon to handle the ${how} of ${n}`, reached, 20_000).catch((err: Error) => {
          throw new Error(`${err.message}; the daemon logged meanwhile: ${d.logs.slice(logged).map((l) => l.evt).join(', ') || 'nothing'}; the page is at ${page.url().slice(0, 80)}`);
        });
      } finally {
        await ctx.close();
      }
      expect(d.logs.some((l) => l.evt === 'exec.done'), `${how} ${n}: something ran`).toBe(false);
      expect(fs.existsSync(file), `${how} ${n}`).toBe(false);
    }
  });
});
