// Attacks on the Web Push subscribe endpoint: it must need the page's cookie, its exact Origin and a
// JSON body (a cross-site form or a page on another localhost port cannot subscribe), full access
// (not a watch link), and an endpoint on a browser vendor's push service over https: a page must not
// make the daemon POST to loopback, the cloud metadata address or any other internal host (SSRF).
// A stand-in service on 127.0.0.1 proves that no refused endpoint is ever contacted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebTokens } from '../../src/daemon/web/token';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { browserKeys, startReceiver, type PushReceiver } from '../helpers/push-receiver';
import { httpRequest } from '../helpers/web-raw';
import { webLogin, type WebSession } from '../helpers/web-login';

let d: TestDaemon;
let internal: PushReceiver;
let web: WebSession;
const keys = browserKeys().json;
const subsFile = (): string => path.join(d.runtime, 'web-push-subscriptions.json');

beforeAll(async () => {
  internal = await startReceiver();
  d = await startDaemon({ args: ['--web'] });
  web = await webLogin(d);
});
afterAll(async () => {
  await internal?.close();
  expect(await d?.stop()).toBe(0);
});

describe('the push subscribe endpoint under attack', () => {
  const good = { endpoint: 'https://fcm.googleapis.com/fcm/send/attack-test', keys };

  it('needs the cookie, the exact Origin, a JSON body and full access', async () => {
    expect((await web.post('/api/push-subscribe', good, { Cookie: '' })).status).toBe(403);
    expect((await web.post('/api/push-subscribe', good, { Origin: 'http://localhost:1' })).status).toBe(403);
    expect((await web.post('/api/push-subscribe', good, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await web.post('/api/push-subscribe', good, { Origin: '' })).status).toBe(403);
    // What a cross-site <form> can send: not JSON.
    expect((await web.post('/api/push-subscribe', good, { 'Content-Type': 'text/plain' })).status).toBe(415);
    const watcher = await webLogin(d, { watch: new WebTokens(path.join(d.runtime, 'web-token')).watchToken(null) });
    expect((await watcher.post('/api/push-subscribe', good)).status).toBe(403);
    expect((await watcher.post('/api/push-key', {})).status).toBe(403);
    expect(fs.existsSync(subsFile())).toBe(false);
  });

  it('refuses endpoints that are not a push service over https, and contacts none of them', async () => {
    const port = new URL(internal.origin).port;
    for (const endpoint of [
      `${internal.origin}/ssrf`,
      `https://127.0.0.1:${port}/ssrf`,
      `https://localhost:${port}/ssrf`,
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/ssrf',
      'https://10.0.0.1/ssrf',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://fcm.googleapis.com.attacker.example/x',
      'http://fcm.googleapis.com/fcm/send/x',
      'https://fcm.googleapis.com:8443/x',
      'https://u:p@fcm.googleapis.com/x',
    ]) {
      const r = await web.post('/api/push-subscribe', { endpoint, keys });
      expect(r.status, endpoint).toBe(400);
    }
    expect((await web.post('/api/push-subscribe', { endpoint: 'https://fcm.googleapis.com/x', keys: { p256dh: 'AAAA', auth: 'AAAA' } })).status).toBe(400);
    expect(fs.existsSync(subsFile())).toBe(false);
    // An event that a subscription would get: nothing reaches the internal listener.
    expect((await nc(d.port, '#!session ssrf\nsh -c "exit 4"\n')).stdout).toMatch(/exit status 4/);
    expect(internal.received).toEqual([]);
    expect(d.logs.filter((l) => l.evt === 'web.refused' && l.reason === 'push-endpoint').length).toBeGreaterThanOrEqual(11);
  });

  it('serves the service worker without a cookie, as script, with no fetch handler', async () => {
    const r = await httpRequest(d.port, 'GET', '/sw.js', { Host: web.host });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.body).toContain('push');
    expect(r.body).not.toMatch(/["']fetch["']/);
    expect((await httpRequest(d.port, 'GET', '/sw.js', { Host: 'evil.example' })).status).toBe(403);
  });
});
