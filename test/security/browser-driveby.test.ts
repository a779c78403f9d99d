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
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';

const LENGTHS = [4200, 8300, 20_000];
// What the daemon logs once it has dealt with a request, run or refused.
const HANDLED = new Set(['exec.refused', 'exec.done', 'web.refused', 'web.request']);

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
    const ctx = await browser.newContext();
    try {
      for (const n of LENGTHS) {
        const file = path.join(dir, `${how}-${n}`);
        const url = `http://localhost:${d.port}/x;touch$IFS${file};true${'a'.repeat(n)}`;
        pages.set(`/${how}-${n}`, attackPage(how, url));
        // Until the daemon has dealt with the browser's request (a page's navigation may end in an
        // error page). Seen under load in CI: a form POST that never reached the daemon (Chromium
        // does not retry a POST whose connection failed), so an attempt is made again, at most three
        // times, and the last failure names what the daemon logged meanwhile.
        for (let attempt = 1; ; attempt++) {
          const before = d.logs.filter((l) => HANDLED.has(l.evt ?? '')).length;
          const logged = d.logs.length;
          const page = await ctx.newPage();
          // The attack page loads from 127.0.0.1:evilPort, another origin than localhost:PORT.
          await page.goto(`http://127.0.0.1:${evilPort}/${how}-${n}`).catch(() => undefined);
          const reached = await waitFor(`the daemon to handle the ${how} of ${n}`, () => (d.logs.filter((l) => HANDLED.has(l.evt ?? '')).length > before ? true : undefined), 20_000).then(
            () => true,
            (err: Error) => {
              if (attempt < 3) return false;
              throw new Error(`${err.message}; the daemon logged meanwhile: ${d.logs.slice(logged).map((l) => l.evt).join(', ') || 'nothing'}; the page is at ${page.url().slice(0, 80)}`);
            },
          );
          await page.close();
          if (reached) break;
        }
        expect(d.logs.some((l) => l.evt === 'exec.done'), `${how} ${n}: something ran`).toBe(false);
        expect(fs.existsSync(file), `${how} ${n}`).toBe(false);
      }
    } finally {
      await ctx.close();
    }
  });
});
