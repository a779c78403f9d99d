// The two HTML documents the daemon serves, each with its Content-Security-Policy: the app (for a
// signed-in browser) and the short 403 page, whose small script trades a link's key for a cookie.
//
// Scripts are inline and allowed by their SHA-256 hash, so nothing but these exact bytes can run;
// nothing is loaded from anywhere else (default-src 'none'; the WebSocket is 'self'). Styles may
// be inline: xterm's DOM renderer sets style attributes and draws nothing without them.
import * as crypto from 'node:crypto';
import { PAGE_CSS, PAGE_JS } from 'pty-relay:web-assets';
import type { Scope } from './token';

export interface Page {
  status: number;
  html: string;
  csp: string;
}

const sha256 = (text: string): string => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

// The policy for a document whose only script hashes to `scriptHash`.
function policy(scriptHash: string): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHash}`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "worker-src 'self'", // the service worker, /sw.js (Web Push)
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const HEAD = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover, interactive-widget=resizes-content"><meta name="color-scheme" content="dark"><meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">`;

let app: { html: (scope: Scope) => string; csp: string } | null = null;

// The app, for a browser signed in with `scope` (which the page shows and obeys; the daemon
// enforces it on every frame anyway).
export function appPage(scope: Scope): Page {
  app ??= {
    html: (s) =>
      `<!doctype html><html lang="en"><head>${HEAD}<title>pty-relay</title><style>${PAGE_CSS}</style></head>` +
      `<body data-scope="${s.readOnly ? 'ro' : 'rw'}" data-session="${s.session ?? ''}"><script>${PAGE_JS}</script></body></html>`,
    csp: policy(sha256(PAGE_JS)),
  };
  return { status: 200, html: app.html(scope), csp: app.csp };
}

// Reads `#c=CODE` (a one-time login code) or `#w=WATCH` (with `?s=SESSION`), removes it from the
// address bar at once, trades it for the cookie, then reloads without it. An old `#t=KEY` link is
// not used: the long-lived key must not travel in URLs (browsers keep them in their history).
const LOGIN_JS = `(function(){
var m=document.getElementById('msg'),f=new URLSearchParams(location.hash.slice(1)),q=new URLSearchParams(location.search);
var c=f.get('c'),w=f.get('w');
if(f.get('t')){history.replaceState(null,'',location.pathname+location.search);m.textContent='This kind of link is no longer accepted. On the server, run pty-relay web for a new one.';return;}
if(!c&&!w)return;
history.replaceState(null,'',location.pathname+location.search);
m.textContent='Signing in\\u2026';
fetch('/api/login',{method:'POST',headers:{'Content-Type':'application/json'},credentials:'same-origin',body:JSON.stringify(c?{code:c}:{watch:w,session:q.get('s')})})
.then(function(r){if(r.ok){location.replace(location.pathname+location.search);return;}
m.textContent='This link is not valid (any more): a login link works once, for a few minutes. On the server, run: pty-relay web';},
function(){m.textContent='Cannot reach the daemon. Is the tunnel up?';});})();`;

const FORBIDDEN_CSS = `body{margin:0;min-height:100vh;display:grid;place-items:center;background:#0f1115;color:#d7dae0;font:15px/1.5 system-ui,sans-serif}
main{max-width:34rem;padding:1.5rem 1.75rem;border:1px solid #2a2f3a;border-radius:10px;background:#161a21}
h1{margin:0 0 .5rem;font-size:1.1rem}code{background:#232833;padding:.1rem .35rem;border-radius:4px}p{margin:.5rem 0}.dim{color:#8a93a5;font-size:.9rem}`;

let forbidden: Page | null = null;

// The 403 page: how to get a link, and (with a link's key in the fragment) the sign-in.
export function forbiddenPage(): Page {
  forbidden ??= {
    status: 403,
    html:
      `<!doctype html><html lang="en"><head>${HEAD}<title>pty-relay: sign in</title><style>${FORBIDDEN_CSS}</style></head><body><main>` +
      `<h1>pty-relay web terminal</h1><p id="msg">This page opens only through its link. On the server, run <code>pty-relay web</code> and open the URL it prints.</p>` +
      `<p class="dim">Through a tunnel, use the port on this machine (for example <code>ssh -L 9998:localhost:9998 server</code>).</p>` +
      `</main><script>${LOGIN_JS}</script></body></html>`,
    csp: policy(sha256(LOGIN_JS)),
  };
  return forbidden;
}
