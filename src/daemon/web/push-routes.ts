// The web page's Web Push requests (full access only; web-server.ts has checked the Host, the exact
// Origin, the JSON content type and the cookie before any of these is reached), and the service
// worker's script. Pure answers: web-server.ts writes them.
//
//   GET  /sw.js                  the service worker (no secret in it: served to any loopback Host)
//   POST /api/push-key           {} -> {publicKey}: the VAPID key for PushManager.subscribe
//   POST /api/push-subscribe     {endpoint, keys: {p256dh, auth}} -> {subscriptions: N}
//   POST /api/push-unsubscribe   {endpoint} -> {removed}
import { SW_JS } from 'pty-relay:web-assets';
import type { Logger } from '../../log';
import { judgeEndpoint } from '../push/endpoint';
import type { WebPush } from '../push/push';
import { judgeKeys } from '../push/subscriptions';

export const WORKER_PATH = '/sw.js';
export const WORKER_JS = SW_JS;

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

// The answer to POST `path` (one of /api/push-*), or null when it is not one of these.
export function pushRoute(path: string, body: Record<string, unknown>, push: WebPush | null, l: Logger): Answer | null {
  if (!/^\/api\/push-(key|subscribe|unsubscribe)$/.test(path)) return null;
  if (push === null) return { status: 404, body: { error: 'web push is off' } };
  if (path === '/api/push-key') return { status: 200, body: { publicKey: push.publicKey() } };
  const endpoint = judgeEndpoint(body.endpoint, push.config.testOrigin);
  if (typeof endpoint === 'string') {
    l.warn({ evt: 'web.refused', reason: 'push-endpoint' }, `push subscription refused: ${endpoint}`);
    return { status: 400, body: { error: endpoint } };
  }
  if (path === '/api/push-unsubscribe') return { status: 200, body: { removed: push.subscriptions.remove(endpoint.href) } };
  const keys = judgeKeys(body.keys);
  if (typeof keys === 'string') return { status: 400, body: { error: keys } };
  push.publicKey(); // the key exists before a subscription that depends on it
  push.subscriptions.add({ endpoint: endpoint.href, ...keys });
  l.info({ evt: 'push.subscribed', host: endpoint.hostname, subscriptions: push.subscriptions.all().length }, 'a browser subscribed to pushes');
  return { status: 200, body: { subscriptions: push.subscriptions.all().length } };
}
