// Who gets into the web terminal, over raw HTTP and WebSocket: no session, a wrong token, a forged
// cookie, a foreign Host (DNS rebinding), a foreign Origin (a page on another localhost port) and a
// browser-style POST are refused and reach no shell; a watch cookie only watches; a client that
// trickles its headers is closed; frames and shell text still work on the port; without --web,
// HTTP is refused exactly as before.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebTokens } from '../../src/daemon/web/token';
import { FrameType } from '../../src/protocol/frame';
import { nc } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';
import { httpRequest, wsConnect, WsFrames } from '../helpers/web-raw';

const sessions = (d: TestDaemon): string[] =>
  (JSON.parse(execFileSync(process.execPath, [RELAY_BIN, 'ls', '--json', '--port', String(d.port)], { encoding: 'utf8' })) as Array<{ name: string }>).map((s) => s.name);

describe('the web terminal (serve --web) over raw HTTP and WebSocket', () => {
  let d: TestDaemon;
  let host: string;
  let origin: string;
  let token: string;
  let cookie: string;
  const marker = (): string => path.join(d.home, 'web-ran');

  // Signs in with `body` ({token} or {watch, session}); returns the cookie to send back.
  async function login(body: object): Promise<string> {
    const r = await httpRequest(d.port, 'POST', '/api/login', { Host: host, Origin: origin, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(r.status).toBe(200);
    return (r.headers['set-cookie']?.[0] ?? '').split(';', 1)[0] as string;
  }

  beforeAll(async () => {
    d = await startDaemon({ args: ['--web', '--handshake-timeout', '1'] });
    host = `localhost:${d.port}`;
    origin = `http://${host}`;
    token = fs.readFileSync(path.join(d.runtime, 'web-token'), 'utf8').trim();
    cookie = await login({ token });
  });
  afterAll(async () => {
    expect(fs.existsSync(marker())).toBe(false);
    // Neither the token nor a cookie ever reaches the log.
    const log = JSON.stringify(d.logs);
    expect(log).not.toContain(token);
    expect(log).not.toContain(cookie.split('=')[1]);
    expect(await d.stop()).toBe(0);
  });

  it('keeps a 256-bit token in a 0600 file and signs in with an HttpOnly, SameSite=Strict cookie named for the port', async () => {
    expect(fs.statSync(path.join(d.runtime, 'web-token')).mode & 0o777).toBe(0o600);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const r = await httpRequest(d.port, 'POST', '/api/login', { Host: host, Origin: origin, 'Content-Type': 'application/json' }, JSON.stringify({ token }));
    expect(r.headers['set-cookie']?.[0]).toMatch(new RegExp(`^pty_relay_${d.port}=v1:rw::\\d+:[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));
    const app = await httpRequest(d.port, 'GET', '/', { Host: host, Cookie: cookie });
    expect(app.status).toBe(200);
    const csp = app.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]{44}';/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
    // Every byte of the page is in the answer: no script, stylesheet, font or image from elsewhere
    // (and the policy above would block one: default-src 'none').
    expect(app.body).not.toMatch(/<script[^>]+src=|<link[^>]+(stylesheet|preload|modulepreload)|@import|url\(\s*["']?https?:/i);
  });

  it('answers a request without a session with the 403 page, and touches nothing', async () => {
    const r = await httpRequest(d.port, 'GET', '/', { Host: host });
    expect(r.status).toBe(403);
    expect(r.body).toContain('pty-relay web');
    expect(r.body).not.toContain('xterm');
    expect((await httpRequest(d.port, 'GET', '/anything', { Host: host })).status).toBe(403);
    expect((await wsConnect(d.port, { Host: host, Origin: origin })).status).toBe(403);
    expect((await httpRequest(d.port, 'POST', '/api/watch-link', { Host: host, Origin: origin, 'Content-Type': 'application/json' }, '{}')).status).toBe(403);
    expect(sessions(d)).toEqual([]);
  });

  it('refuses a wrong token and a forged or foreign cookie', async () => {
    const r = await httpRequest(d.port, 'POST', '/api/login', { Host: host, Origin: origin, 'Content-Type': 'application/json' }, JSON.stringify({ token: 'A'.repeat(43) }));
    expect(r.status).toBe(403);
    expect(r.headers['set-cookie']).toBeUndefined();
    await d.waitLog('web.login_failed');
    const other = new WebTokens(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-tok-')), 'web-token'));
    const forged = [`pty_relay_${d.port}=v1:rw::9999999999:${'A'.repeat(43)}`, `pty_relay_${d.port}=${other.cookie({ readOnly: false, session: null })}`, cookie.replace(`pty_relay_${d.port}`, 'pty_relay_1')];
    for (const c of forged) {
      expect((await wsConnect(d.port, { Host: host, Origin: origin, Cookie: c })).status).toBe(403);
      expect((await httpRequest(d.port, 'GET', '/', { Host: host, Cookie: c })).status).toBe(403);
    }
    expect(sessions(d)).toEqual([]);
  });

  it('refuses a foreign Host even with a valid cookie (DNS rebinding)', async () => {
    for (const h of [`evil.example:${d.port}`, `localhost.evil.example:${d.port}`, `127.0.0.2:${d.port}`]) {
      const r = await httpRequest(d.port, 'GET', '/', { Host: h, Cookie: cookie });
      expect(r.status).toBe(403);
      expect(r.body).toContain('Host is not allowed');
      expect((await wsConnect(d.port, { Host: h, Origin: `http://${h}`, Cookie: cookie })).status).toBe(403);
    }
    await d.waitLog('web.refused', (l) => l.reason === 'host');
    // The same cookie through an allowed name works: the refusals above were about the Host alone.
    for (const h of [host, `127.0.0.1:${d.port}`, `[::1]:${d.port}`]) expect((await httpRequest(d.port, 'GET', '/', { Host: h, Cookie: cookie })).status).toBe(200);
  });

  it('refuses a foreign Origin (a page on another localhost port) on upgrades and POSTs', async () => {
    for (const o of [`http://localhost:${d.port + 1}`, 'http://evil.example', 'null']) {
      expect((await wsConnect(d.port, { Host: host, Origin: o, Cookie: cookie })).status).toBe(403);
      const r = await httpRequest(d.port, 'POST', '/api/login', { Host: host, Origin: o, 'Content-Type': 'application/json' }, JSON.stringify({ token }));
      expect(r.status).toBe(403);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    expect((await wsConnect(d.port, { Host: host, Cookie: cookie })).status).toBe(403); // no Origin at all
    await d.waitLog('web.refused', (l) => l.reason === 'origin');
    // The page's own origin gets in.
    const ok = await wsConnect(d.port, { Host: host, Origin: origin, Cookie: cookie });
    expect(ok.status).toBe('open');
    const f = new WsFrames(ok.ws);
    f.send({ type: FrameType.HELLO, body: { proto: 1, caps: [], agent: 'test' } });
    await f.waitFrame(FrameType.HELLO);
    f.send({ type: FrameType.REQUEST, body: { op: 'ls' } });
    expect((await f.waitFrame(FrameType.REPLY)).body).toEqual({ ok: true, sessions: [] });
  });

  it('refuses browser-style POSTs, which reach no shell', async () => {
    const body = `cmd=touch+${encodeURIComponent(marker())}\ntouch ${marker()}\n`;
    for (const [type, o, c] of [
      ['application/x-www-form-urlencoded', `http://localhost:${d.port + 1}`, cookie],
      ['text/plain', 'http://evil.example', ''],
      ['text/plain', origin, cookie],
      ['multipart/form-data; boundary=x', origin, ''],
    ] as const) {
      for (const p of ['/', '/api/login', '/ws']) {
        const r = await httpRequest(d.port, 'POST', p, { Host: host, Origin: o, 'Content-Type': type, ...(c === '' ? {} : { Cookie: c }) }, body);
        expect([403, 404, 415]).toContain(r.status);
      }
    }
    expect(fs.existsSync(marker())).toBe(false);
    expect(sessions(d)).toEqual([]);
  });

  it('lets a watch cookie only watch its own session', async () => {
    expect((await nc(d.port, '#!session w\necho w-ok\n')).stdout).toBe('w-ok\n');
    expect((await nc(d.port, '#!session other\necho o-ok\n')).stdout).toBe('o-ok\n');
    const watch = await login({ watch: new WebTokens(path.join(d.runtime, 'web-token')).watchToken('w'), session: 'w' });
    const attempt = async (f: Parameters<WsFrames['send']>[0]): Promise<WsFrames> => {
      const c = await wsConnect(d.port, { Host: host, Origin: origin, Cookie: watch });
      const frames = new WsFrames(c.ws);
      frames.send({ type: FrameType.HELLO, body: { proto: 1, caps: [], agent: 'test' } });
      await frames.waitFrame(FrameType.HELLO);
      frames.send(f);
      return frames;
    };
    const attach = (session: string, readOnly: boolean) => ({ type: FrameType.ATTACH, body: { session, create: false, resume: null, cols: 80, rows: 24, readOnly, clientId: 'x', inputFrom: 0 } }) as const;
    expect((await (await attempt(attach('w', false))).waitFrame(FrameType.ERROR)).body.code).toBe('PR_ERR_AUTH');
    expect((await (await attempt(attach('other', true))).waitFrame(FrameType.ERROR)).body.code).toBe('PR_ERR_AUTH');
    expect((await (await attempt({ type: FrameType.REQUEST, body: { op: 'kill', session: 'w' } })).waitFrame(FrameType.ERROR)).body.code).toBe('PR_ERR_AUTH');
    const listed = (await (await attempt({ type: FrameType.REQUEST, body: { op: 'ls' } })).waitFrame(FrameType.REPLY)).body;
    expect(listed.ok && listed.sessions?.map((s) => s.name)).toEqual(['w']);
    expect((await (await attempt(attach('w', true))).waitFrame(FrameType.SCREEN)).data.length).toBeGreaterThan(0);
    expect(sessions(d).sort()).toEqual(['other', 'w']);
  });

  it('closes a client that trickles its headers (the HTTP deadlines)', async () => {
    const s = net.connect({ host: '127.0.0.1', port: d.port });
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.on('error', () => undefined);
    s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n`);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent++ < 200 && !s.destroyed) s.write(`X-Slow-${sent}: a\r\n`);
    }, 100);
    try {
      await within('the daemon closing a trickling client', closed, 15_000);
    } finally {
      clearInterval(drip);
    }
    expect(sent).toBeLessThan(200);
    await d.waitLog('web.deadline', (l) => l.phase === 'headers');
  });

  it('still speaks shell text and frames on the same port', async () => {
    expect((await nc(d.port, 'echo text-$((1+1))\n')).stdout).toBe('text-2\n');
    const f = new FrameClient(d.port);
    f.hello();
    await f.waitFrame(FrameType.HELLO);
    f.send({ type: FrameType.REQUEST, body: { op: 'ls' } });
    await f.waitFrame(FrameType.REPLY);
    f.socket.destroy();
  });
});

describe('without --web', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('refuses HTTP exactly as before, and pty-relay web says why', async () => {
    const refusal = 'pty-relay: error: HTTP request refused; this port speaks shell text, not HTTP\n';
    for (const req of [`GET / HTTP/1.1\r\nHost: localhost:${d.port}\r\n\r\n`, `GET /ws HTTP/1.1\r\nHost: localhost:${d.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: http://localhost:${d.port}\r\n\r\n`]) {
      expect((await nc(d.port, req)).stdout).toBe(refusal);
    }
    await waitFor('two refusals', () => (d.logs.filter((l) => l.evt === 'exec.refused' && l.reason === 'http').length >= 2 ? true : undefined));
    expect(fs.existsSync(path.join(d.runtime, 'web-token'))).toBe(false);
    const r = spawnSync(process.execPath, [RELAY_BIN, 'web', '--port', String(d.port), '--runtime-dir', d.runtime], { encoding: 'utf8' });
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/start the daemon with --web.*\[PR_ERR_WEB\]/);
  });
});
