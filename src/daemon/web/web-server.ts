// web/ owns the web terminal's server side: this HTTP server, who may talk to it (guard.ts, its
// token and cookies: token.ts), its deadlines (deadlines.ts, request-line.ts), the pages it serves
// (pages.ts), the Web Push routes (push-routes.ts) and frames over a WebSocket (ws-transport.ts) for
// the attach logic of attach/.
//
// The web terminal's HTTP side: an in-process http.Server (it never listens; the relay's own
// listener hands it connections that sent an HTTP request) and a `ws` server in noServer mode.
// The one module that imports `ws`.
//
//   GET  /                 the app with a valid cookie, else the 403 page (which signs in)
//   POST /api/login        {token} or {watch, session} -> the session cookie
//   POST /api/logout       clears the cookie
//   POST /api/watch-link   {session|null} -> a read-only link (full access only)
//   GET  /ws (upgrade)     frames, one per binary message, served by the attach logic
//   GET  /sw.js, POST /api/push-*   Web Push (push-routes.ts)
//
// Every request: a loopback Host. State-changing requests and upgrades: the exact Origin.
import * as http from 'node:http';
import type * as net from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../log';
import { HEADER_BYTES, OUTPUT_CHUNK_BYTES } from '../../protocol/frame';
import { validateSessionName } from '../../protocol/session-name';
import { MAX_REQUEST_LINE_BYTES } from '../../protocol/sniff';
import { serveFrames, type AttachConfig } from '../attach/attach';
import type { BucketConfig } from '../base/rate-limit';
import type { Registry } from '../session/registry';
import type { ConnContext, HttpHandOff } from '../conn/context';
import { HttpDeadlines } from './deadlines';
import { readRequestLine, TOO_LONG_BODY } from './request-line';
import { cookieName, hostAllowed, originAllowed, readCookies, setCookieHeader } from './guard';
import { appPage, forbiddenPage, type Page } from './pages';
import { pushRoute, WORKER_JS, WORKER_PATH } from './push-routes';
import type { WebPush } from '../push/push';
import { COOKIE_MAX_AGE_S, type Scope, type WebTokens } from './token';
import { wsTransport } from './ws-transport';

export interface WebConfig {
  tokens: WebTokens;
  attach: AttachConfig;
  inputRate: BucketConfig;
  headersMs: number; // a request's headers must arrive within this
  requestMs: number; // a request's body and our response within this
  pingMs: number; // WebSocket pings
  push: WebPush | null; // Web Push (null: off)
}

// The page never sends more than one chunk of input (a paste is split) per message.
const MAX_MESSAGE_BYTES = HEADER_BYTES + 8 + OUTPUT_CHUNK_BYTES;
// A login or watch-link request body is a few dozen bytes of JSON.
const MAX_BODY_BYTES = 4096;
// The page's window: what xterm can draw in well under a second, so a flood never queues long.
const WEB_WINDOW_BYTES = 512 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Builds the HTTP side; `take` receives connections whose first bytes were an HTTP request.
export function createWebServer(config: WebConfig, registry: Registry, log: Logger): HttpHandOff {
  const server = http.createServer({ maxHeaderSize: 16 * 1024 });
  const contexts = new WeakMap<net.Socket, ConnContext>();
  const logOf = (s: net.Socket): Logger => contexts.get(s)?.log ?? log;
  const deadlines = new HttpDeadlines(server, { headersMs: config.headersMs, requestMs: config.requestMs }, (s, phase) => {
    logOf(s).info({ evt: 'web.deadline', phase }, `HTTP ${phase} deadline passed; closing`);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  // The scope of the first cookie of our name that verifies (others may be planted ones).
  const scopeOf = (req: http.IncomingMessage, host: string): Scope | null => {
    for (const value of readCookies(req.headers.cookie, cookieName(host))) {
      const scope = config.tokens.verifyCookie(value);
      if (scope !== null) return scope;
    }
    return null;
  };

  // What Node's parser refuses itself (headers past 16 KiB, a malformed request) is answered and
  // logged like our own refusals; a client that went away is only closed.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    const reason = err.code === 'HPE_HEADER_OVERFLOW' ? 'header-overflow' : err.code === 'ECONNRESET' ? null : 'malformed';
    if (reason === null || !socket.writable) return void socket.destroy();
    logOf(socket).warn({ evt: 'web.refused', reason }, `web request refused (${reason})`);
    const status = reason === 'header-overflow' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  server.on('request', (req, res) => {
    const l = logOf(req.socket);
    void handle(req, res, l).catch((err: Error) => {
      l.error({ evt: 'web.error', err: err.message }, 'web request failed');
      if (!res.headersSent) send(res, { status: 500, html: 'internal error', csp: "default-src 'none'" });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, l: Logger): Promise<void> {
    // A connection's first request line was measured before parsing (request-line.ts); a later
    // one on a kept-alive connection is measured here (past 16 KiB, Node answers 431 itself).
    if (`${req.method} ${req.url} HTTP/${req.httpVersion}`.length > MAX_REQUEST_LINE_BYTES) {
      l.warn({ evt: 'web.refused', reason: 'request-line' }, 'web request refused (request line too long)');
      res.writeHead(414, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': "default-src 'none'", Connection: 'close' });
      return void res.end(TOO_LONG_BODY);
    }
    const host = req.headers.host;
    const path = (req.url ?? '/').split('?', 1)[0] as string;
    if (!hostAllowed(host)) return refuse(res, l, 'host', 'this Host is not allowed: open the page through localhost');
    if (req.method === 'POST' && !originAllowed(req.headers.origin, host)) return refuse(res, l, 'origin', 'cross-origin request refused');
    const scope = scopeOf(req, host);
    // The path is named only when it is one of ours: any other is whatever a page put there (a payload).
    const route = path === '/' || /^\/api\/[a-z-]{1,32}$/.test(path) ? path : `(other, ${path.length} bytes)`;
    l.debug({ evt: 'web.request', method: req.method, path: route, signedIn: scope !== null }, 'web request');
    if (req.method === 'GET' && path === '/') return send(res, scope === null ? forbiddenPage() : appPage(scope));
    if (req.method === 'GET' && path === WORKER_PATH) return send(res, { status: 200, html: WORKER_JS, csp: "default-src 'none'" }, 'text/javascript');
    if (req.method !== 'POST' || !path.startsWith('/api/')) {
      if (scope === null) return send(res, forbiddenPage());
      return json(res, req.method === 'GET' || req.method === 'POST' ? 404 : 405, { error: 'not found' });
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return json(res, 415, { error: 'send JSON' });
    const body = await readJson(req);
    if (body === null) return json(res, 400, { error: 'bad request body' });
    if (path === '/api/login') {
      const granted = config.tokens.login(body);
      if (granted === null) {
        l.warn({ evt: 'web.login_failed' }, 'web sign-in with a wrong key');
        return json(res, 403, { error: 'this link is not valid (any more): run pty-relay web on the server' });
      }
      l.info({ evt: 'web.login', readOnly: granted.readOnly, session: granted.session }, 'web browser signed in');
      res.setHeader('Set-Cookie', setCookieHeader(cookieName(host), config.tokens.cookie(granted), COOKIE_MAX_AGE_S));
      return json(res, 200, { readOnly: granted.readOnly, session: granted.session });
    }
    if (scope === null) return json(res, 403, { error: 'not signed in' });
    if (path === '/api/logout') {
      res.setHeader('Set-Cookie', setCookieHeader(cookieName(host), '', 0));
      return json(res, 200, {});
    }
    if (path === '/api/watch-link' && !scope.readOnly) {
      const session = body.session === null || body.session === undefined ? null : String(body.session);
      if (session !== null && validateSessionName(session) !== null) return json(res, 400, { error: 'bad session name' });
      const query = session === null ? '' : `?s=${encodeURIComponent(session)}`;
      return json(res, 200, { link: `/${query}#w=${config.tokens.watchToken(session)}` });
    }
    const pushed = scope.readOnly ? null : pushRoute(path, body, config.push, l);
    if (pushed !== null) return json(res, pushed.status, pushed.body);
    return json(res, scope.readOnly ? 403 : 404, { error: scope.readOnly ? 'read-only' : 'not found' });
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const ctx = contexts.get(socket);
    const l = ctx?.log ?? log;
    const host = req.headers.host;
    const deny = (status: number, reason: string): void => {
      l.warn({ evt: 'web.refused', reason, upgrade: true }, `WebSocket refused (${reason})`);
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(host)) return deny(403, 'host');
    if (!originAllowed(req.headers.origin, host)) return deny(403, 'origin');
    if ((req.url ?? '').split('?', 1)[0] !== '/ws') return deny(404, 'path');
    const scope = scopeOf(req, host);
    if (scope === null || ctx === undefined) return deny(403, 'cookie');
    wss.handleUpgrade(req, socket, head, (ws) => {
      l.info({ evt: 'web.socket', readOnly: scope.readOnly }, 'web page connected');
      const t = wsTransport(ws, socket, { maxFrameBytes: MAX_MESSAGE_BYTES, inputRate: config.inputRate, pingMs: config.pingMs });
      serveFrames(t, { preAuthenticated: true, readOnly: scope.readOnly, session: scope.session, windowBytes: WEB_WINDOW_BYTES }, registry, config.attach, ctx);
    });
  });

  return {
    take(socket, first, ctx) {
      contexts.set(socket, ctx);
      // Idle keep-alive connections end with the daemon; an upgraded one registers its own notice.
      ctx.onShutdown(() => socket.destroy());
      deadlines.track(socket);
      const tooLong = (): void => ctx.log.warn({ evt: 'web.refused', reason: 'request-line' }, 'web request refused (request line too long)');
      readRequestLine(socket, first, tooLong, (head) => {
        // Put the bytes back, then hand over: the HTTP parser reads them first (DESIGN.md §8).
        socket.unshift(head);
        server.emit('connection', socket);
      });
    },
  };
}

function refuse(res: http.ServerResponse, l: Logger, reason: string, message: string): void {
  l.warn({ evt: 'web.refused', reason }, `web request refused (${reason})`);
  res.writeHead(403, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': "default-src 'none'", Connection: 'close' });
  res.end(`pty-relay: ${message}\n`);
}

function send(res: http.ServerResponse, page: Page, type = 'text/html'): void {
  res.writeHead(page.status, { ...SECURITY_HEADERS, 'Content-Type': `${type}; charset=utf-8`, 'Content-Security-Policy': page.csp });
  res.end(page.html);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Content-Security-Policy': "default-src 'none'" });
  res.end(JSON.stringify(body));
}

// A small JSON object body, or null when it is too big or not a JSON object.
function readJson(req: http.IncomingMessage): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('error', () => resolve(null));
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return resolve(null);
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
      } catch {
        resolve(null);
      }
    });
  });
}
