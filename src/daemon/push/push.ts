// push/ owns Web Push for phones, the daemon's side: this sender, the subscriptions (subscriptions.ts),
// the message encryption (ece.ts), the VAPID key (vapid.ts), which endpoints may be POSTed to
// (endpoint.ts) and the POST itself (deliver.ts).
//
// Web Push for phones: the daemon's side. A signed-in page subscribes (web/push-routes.ts); for each
// event the filter lets through (by default the page's "needs you": waiting for input, failed, and
// finished after a minute) every subscribed browser gets an encrypted message (ece.ts) signed with
// our VAPID key (vapid.ts), POSTed to its push service (endpoint.ts's rule, deliver.ts).
//
// Bounds: PUSH_RATE events a minute (token bucket; past it, events are dropped and counted), at most
// QUEUE_MAX messages waiting and SENDING_MAX in flight (past it, the oldest waiting is dropped).
// A subscription the service answers 404 or 410 is gone (RFC 8030 §7.3) and is removed.
// Logs name the event type and the service's host and status, never the message or the endpoint path.
import type { Logger } from '../../log';
import type { EventFilter, RelayEvent } from '../../protocol/events';
import { TokenBucket } from '../base/rate-limit';
import type { EventBus } from '../events/bus';
import { deliver } from './deliver';
import { encryptPush } from './ece';
import { judgeEndpoint, resolvePublic } from './endpoint';
import { Subscriptions, type Subscription } from './subscriptions';
import { loadVapid, type Vapid } from './vapid';

export interface PushConfig {
  dir: string; // where the key and the subscriptions are kept (the runtime base)
  filter: EventFilter;
  contact: string; // the VAPID `sub` claim: mailto: or https: (push services may write to it)
  testOrigin: string | null; // tests only: a loopback origin admitted as a push service
}

export const PUSH_RATE_PER_MIN = 12;
const PUSH_BURST = 6;
export const QUEUE_MAX = 32;
const SENDING_MAX = 2;
// A notification's text: a line of a phone's lock screen.
const TITLE_CHARS = 80;
const BODY_CHARS = 200;

interface Message {
  sub: Subscription;
  type: RelayEvent['type'];
  payload: Buffer;
}

export class WebPush {
  readonly subscriptions: Subscriptions;
  private vapid: Vapid | null = null;
  private readonly bucket = new TokenBucket({ ratePerSec: PUSH_RATE_PER_MIN / 60, burst: PUSH_BURST }, Date.now());
  private readonly queue: Message[] = [];
  private sending = 0;
  private readonly unsubscribe: () => void;

  constructor(
    bus: EventBus,
    readonly config: PushConfig,
    private readonly log: Logger,
  ) {
    this.subscriptions = new Subscriptions(config.dir, log);
    this.unsubscribe = bus.subscribe((e) => {
      if (e.type !== 'dropped' && config.filter(e) && this.subscriptions.all().length > 0) this.offer(e);
    });
  }

  // The VAPID public key, made on first use. Throws PR_ERR_WEB_PUSH when the key file is unsafe.
  publicKey(): string {
    return this.key().publicKey;
  }

  close(): void {
    this.unsubscribe();
    this.queue.length = 0;
  }

  private key(): Vapid {
    this.vapid ??= loadVapid(this.config.dir, this.config.contact);
    return this.vapid;
  }

  private offer(e: RelayEvent): void {
    if (!this.bucket.tryTake(1, Date.now())) {
      this.log.warn({ evt: 'push.dropped', type: e.type, why: 'rate' }, 'push rate limit reached: event not pushed');
      return;
    }
    const payload = Buffer.from(JSON.stringify(notification(e)));
    for (const sub of this.subscriptions.all()) {
      if (this.queue.length >= QUEUE_MAX) {
        const old = this.queue.shift() as Message;
        this.log.warn({ evt: 'push.dropped', type: old.type, why: 'queue' }, 'push queue full: the oldest message dropped');
      }
      this.queue.push({ sub, type: e.type, payload });
    }
    this.pump();
  }

  private pump(): void {
    while (this.sending < SENDING_MAX && this.queue.length > 0) {
      const m = this.queue.shift() as Message;
      this.sending++;
      void this.send(m).finally(() => {
        this.sending--;
        this.pump();
      });
    }
  }

  private async send(m: Message): Promise<void> {
    const url = judgeEndpoint(m.sub.endpoint, this.config.testOrigin);
    if (typeof url === 'string') return void this.subscriptions.remove(m.sub.endpoint); // stored by an older rule
    const host = url.hostname;
    const at = await resolvePublic(host, this.config.testOrigin !== null && url.origin === this.config.testOrigin);
    if (typeof at === 'string') return void this.log.warn({ evt: 'push.refused', host, why: at }, at);
    const body = encryptPush(m.payload, { p256dh: Buffer.from(m.sub.p256dh, 'base64url'), auth: Buffer.from(m.sub.auth, 'base64url') });
    const r = await deliver(url, at, body, this.key().authorization(url.origin));
    if ('error' in r) return void this.log.warn({ evt: 'push.failed', host, type: m.type, err: r.error }, 'push not delivered');
    if (r.status === 404 || r.status === 410) {
      this.subscriptions.remove(m.sub.endpoint);
      return void this.log.info({ evt: 'push.gone', host, status: r.status }, 'the push service says this browser unsubscribed: removed');
    }
    if (r.status < 200 || r.status > 299) return void this.log.warn({ evt: 'push.failed', host, type: m.type, status: r.status }, 'push refused by the push service');
    this.log.info({ evt: 'push.sent', host, type: m.type, status: r.status }, 'push delivered to the push service');
  }
}

// What the phone shows: the same words as the page's own notifications (src/web/needs-you.ts).
export function notification(e: RelayEvent): { title: string; body: string; session: string | null } {
  const name = e.session ?? 'pty-relay';
  let title = `${name}: ${e.type}`;
  let body = '';
  if (e.type === 'input') {
    title = `${name}: waiting for input`;
    body = `${e.prompt}${e.echoOff ? ' (echo off)' : ''}`;
  } else if (e.type === 'job-finished') {
    const failed = e.state !== 'done' || e.status !== 0;
    title = failed ? `${name}: ${e.status === null ? e.state : `exit ${e.status}`}` : `${name}: finished after ${Math.round(e.durationMs / 1000)} s`;
    body = e.command;
  } else if (e.type === 'session-ended') title = `${name}: session ended (${e.reason})`;
  const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  return { title: cut(title, TITLE_CHARS), body: cut(body, BODY_CHARS), session: e.session };
}
