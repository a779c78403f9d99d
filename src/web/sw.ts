// The service worker (served at /sw.js, same origin, scope /): shows a push message from the daemon
// as a notification and opens the session when it is clicked. It has no fetch handler: it never
// sees, caches or answers the page's requests. The message was encrypted for this browser
// (RFC 8291) and is decrypted by the browser before 'push' fires.

// The few service-worker types used here (the page's DOM library does not declare them).
interface PushEventLike extends Event {
  data: { json(): unknown } | null;
  waitUntil(p: Promise<unknown>): void;
}
interface NotificationEventLike extends Event {
  notification: Notification & { data?: { session?: string | null } };
  waitUntil(p: Promise<unknown>): void;
}
interface WorkerScope {
  registration: { showNotification(title: string, options: NotificationOptions): Promise<void> };
  clients: { matchAll(o: { type: 'window' }): Promise<Array<{ url: string; focus(): Promise<unknown>; navigate(url: string): Promise<unknown> }>>; openWindow(url: string): Promise<unknown> };
  addEventListener(type: 'push', fn: (e: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', fn: (e: NotificationEventLike) => void): void;
}
const worker = self as unknown as WorkerScope;

worker.addEventListener('push', (e) => {
  let m: { title?: unknown; body?: unknown; session?: unknown } = {};
  try {
    m = (e.data?.json() ?? {}) as typeof m;
  } catch {
    // not JSON: a bare notification
  }
  const session = typeof m.session === 'string' ? m.session : null;
  const title = typeof m.title === 'string' ? m.title : 'pty-relay';
  e.waitUntil(worker.registration.showNotification(title, { body: typeof m.body === 'string' ? m.body : '', tag: `pty-relay-${session ?? ''}`, data: { session } }));
});

worker.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const s = e.notification.data?.session;
  const url = typeof s === 'string' ? `/?s=${encodeURIComponent(s)}` : '/';
  e.waitUntil(
    worker.clients.matchAll({ type: 'window' }).then((open) => {
      const w = open[0];
      return w !== undefined ? w.navigate(url).then(() => w.focus()) : worker.clients.openWindow(url);
    }),
  );
});
