// Web Push for phones (a phone suspends background tabs, so the page's own notifications stop):
// registers the service worker (/sw.js) and, on a click of the header's "Push to this device"
// button, asks for notification permission, subscribes with the daemon's VAPID key and hands the
// subscription to the daemon (POST /api/push-subscribe, with the cookie; the daemon checks the
// origin and the endpoint). Shown only to a full-access page in a browser that has push at all.
import { el } from './dom';

const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
  const r = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const v = (await r.json().catch(() => ({}))) as Record<string, unknown>;
  if (!r.ok) throw new Error(typeof v.error === 'string' ? v.error : `HTTP ${r.status}`);
  return v;
};

let registration: Promise<ServiceWorkerRegistration> | null = null;

// Registers the worker once (no-op without service workers).
export function registerWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  registration ??= navigator.serviceWorker.register('/sw.js', { scope: '/' });
  registration.catch(() => undefined);
}

// The header's button, or null when this page may not or cannot subscribe.
export function pushButton(readOnly: boolean): HTMLElement | null {
  if (readOnly || !('serviceWorker' in navigator) || typeof PushManager === 'undefined' || typeof Notification === 'undefined') return null;
  const b = el('button', { type: 'button', class: 'btn ghost small push', title: 'Send "needs you" alerts to this device even when the page is closed (Web Push)' }, 'Push to this device');
  b.addEventListener('click', () => {
    b.textContent = 'Subscribing…';
    void subscribe().then(
      () => (b.textContent = 'Push on'),
      (err: Error) => {
        b.textContent = 'Push to this device';
        b.title = `Push did not work here: ${err.message}`;
      },
    );
  });
  return b;
}

async function subscribe(): Promise<void> {
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('notifications are not allowed');
  registerWorker();
  const reg = await (registration as Promise<ServiceWorkerRegistration>);
  const { publicKey } = await post('/api/push-key', {});
  if (typeof publicKey !== 'string') throw new Error('no key from the daemon');
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey /* base64url, as the Push API accepts */ });
  const json = sub.toJSON();
  await post('/api/push-subscribe', { endpoint: json.endpoint, keys: json.keys });
}
