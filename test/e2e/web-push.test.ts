// Web Push delivered without the internet: a stand-in push service on 127.0.0.1 (admitted by the
// test-only --web-push-test-origin) gets one POST per subscribed browser for each "needs you"
// event, checks the VAPID signature against the key the page was given, and decrypts the body with
// the subscription's private key. A browser the service calls gone (410) is dropped. The rate limit
// holds a burst of failures. Keys and subscriptions are 0600 files; nothing of a message is logged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUSH_RATE_PER_MIN } from '../../src/daemon/push/push';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { browserKeys, decryptAsBrowser, startReceiver, verifyVapid, type PushReceiver } from '../helpers/push-receiver';
import { webLogin, type WebSession } from '../helpers/web-login';

let d: TestDaemon;
let service: PushReceiver;
let web: WebSession;
let publicKey: string;
const phone = browserKeys();
const laptop = browserKeys();

beforeAll(async () => {
  service = await startReceiver((p) => (p === '/gone' ? 410 : 201));
  d = await startDaemon({ args: ['--web', '--web-push-test-origin', service.origin, '--web-push-filter', 'input,failed', '--web-push-contact', 'mailto:ops@example.org'] });
  web = await webLogin(d);
  const k = await web.post('/api/push-key', {});
  expect(k.status).toBe(200);
  publicKey = k.json.publicKey as string;
});
afterAll(async () => {
  await service?.close();
  expect(await d?.stop()).toBe(0);
});

const at = (p: string): number => service.received.filter((r) => r.path === p).length;

describe('web push to a local push service', () => {
  it('keeps one VAPID key per user in a 0600 file, and the page gets its public half', async () => {
    expect(publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/); // 65 bytes
    const file = path.join(d.runtime, 'web-push-vapid.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await web.post('/api/push-key', {})).json.publicKey).toBe(publicKey); // once, not per request
  });

  it('delivers an encrypted, VAPID-signed message per subscription and drops a browser answered 410', async () => {
    expect((await web.post('/api/push-subscribe', { endpoint: `${service.origin}/phone`, keys: phone.json })).json).toEqual({ subscriptions: 1 });
    expect((await web.post('/api/push-subscribe', { endpoint: `${service.origin}/gone`, keys: laptop.json })).json).toEqual({ subscriptions: 2 });
    const subsFile = path.join(d.runtime, 'web-push-subscriptions.json');
    expect(fs.statSync(subsFile).mode & 0o777).toBe(0o600);

    const since = Math.floor(Date.now() / 1000);
    expect((await nc(d.port, '#!session pushy\nsh -c "exit 3"\n')).stdout).toMatch(/exit status 3/);
    const got = await waitFor('the push at /phone', () => service.received.find((r) => r.path === '/phone'), 20_000);
    expect(got.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(got.headers.ttl)).toBeGreaterThan(0);
    const claims = verifyVapid(got.headers.authorization, publicKey);
    expect(claims.aud).toBe(service.origin);
    expect(claims.sub).toBe('mailto:ops@example.org');
    expect(claims.exp as number).toBeGreaterThan(since);
    expect(claims.exp as number).toBeLessThanOrEqual(since + 24 * 3600 + 60);
    const message = JSON.parse(decryptAsBrowser(got.body, phone.ecdh.getPrivateKey(), phone.auth).toString()) as unknown;
    expect(message).toEqual({ title: 'pushy: exit 3', body: 'sh -c "exit 3"', session: 'pushy' });

    // The laptop's browser had unsubscribed: its service answered 410, so it is forgotten.
    await d.waitLog('push.gone', (l) => l.status === 410, 20_000);
    expect((JSON.parse(fs.readFileSync(subsFile, 'utf8')) as Array<{ endpoint: string }>).map((s) => s.endpoint)).toEqual([`${service.origin}/phone`]);
    expect(at('/gone')).toBe(1);

    // A command that finished well is not "needs you" under this filter; a prompt is.
    expect((await nc(d.port, '#!session pushy\ntrue\n')).stdout).toBe('');
    expect((await nc(d.port, "#!session asks\n#!interactive\nread -p 'deploy to prod? ' yn\n")).stdout).toMatch(/waiting for input/);
    const ask = await waitFor('the input push', () => service.received.filter((r) => r.path === '/phone')[1], 20_000);
    expect(JSON.parse(decryptAsBrowser(ask.body, phone.ecdh.getPrivateKey(), phone.auth).toString())).toMatchObject({ title: 'asks: waiting for input', body: 'deploy to prod?', session: 'asks' });
    expect(at('/gone')).toBe(1);
    expect(at('/phone')).toBe(2);

    // The log names the service's host and the event type, never the message, keys or endpoint path.
    const log = JSON.stringify(d.logs);
    for (const secret of ['deploy to prod', '/phone', phone.json.p256dh, phone.json.auth]) expect(log).not.toContain(secret);
  });

  it('a burst of failures is rate limited', async () => {
    const before = at('/phone');
    const burst = PUSH_RATE_PER_MIN + 2;
    const started = Date.now();
    for (let i = 0; i < burst; i++) expect((await nc(d.port, '#!session burst\nfalse\n')).stdout).toMatch(/exit status 1/);
    await d.waitLog('push.dropped', (l) => l.why === 'rate', 20_000);
    // However slowly the machine ran the burst, the bucket (6 at once, 12 a minute) let fewer through.
    const minutes = (Date.now() - started) / 60_000;
    await waitFor('the pushes that passed', () => (at('/phone') - before >= 1 ? true : undefined), 20_000);
    expect(at('/phone') - before).toBeLessThanOrEqual(6 + Math.ceil(minutes * PUSH_RATE_PER_MIN) + 1);
    expect(at('/phone') - before).toBeLessThan(burst);
  });
});
