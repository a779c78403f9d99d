// The browsers subscribed to pushes: at most MAX_SUBSCRIPTIONS, kept in `web-push-subscriptions.json`
// (mode 0600, beside the VAPID key) so they outlive restarts and upgrades. A subscription is its
// endpoint (judged by endpoint.ts before it gets here) and the browser's two keys.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../log';

export const SUBSCRIPTIONS_FILE = 'web-push-subscriptions.json';
// A person's browsers and phones; a new one past this replaces the oldest.
export const MAX_SUBSCRIPTIONS = 16;

export interface Subscription {
  endpoint: string;
  p256dh: string; // base64url, 65 bytes
  auth: string; // base64url, 16 bytes
  added: number; // ms since the epoch
}

// The browser's keys as sent by PushSubscription.toJSON(), or why they are refused.
export function judgeKeys(keys: unknown): { p256dh: string; auth: string } | string {
  if (typeof keys !== 'object' || keys === null) return 'the subscription has no keys';
  const { p256dh, auth } = keys as Record<string, unknown>;
  if (typeof p256dh !== 'string' || typeof auth !== 'string' || !/^[A-Za-z0-9_-]{1,100}={0,2}$/.test(p256dh) || !/^[A-Za-z0-9_-]{1,40}={0,2}$/.test(auth)) return 'bad subscription keys';
  const point = Buffer.from(p256dh, 'base64url');
  if (point.length !== 65 || point[0] !== 4 || Buffer.from(auth, 'base64url').length !== 16) return 'bad subscription keys';
  try {
    const probe = crypto.createECDH('prime256v1');
    probe.generateKeys();
    probe.computeSecret(point); // throws for a point off the curve
  } catch {
    return 'bad subscription keys';
  }
  return { p256dh, auth };
}

export class Subscriptions {
  private list: Subscription[];
  readonly file: string;

  constructor(dir: string, private readonly log: Logger) {
    this.file = path.join(dir, SUBSCRIPTIONS_FILE);
    this.list = this.read();
  }

  all(): readonly Subscription[] {
    return this.list;
  }

  // Adds (or refreshes) a subscription; the oldest goes when there are too many.
  add(s: Omit<Subscription, 'added'>, now = Date.now()): void {
    this.list = [...this.list.filter((x) => x.endpoint !== s.endpoint), { ...s, added: now }];
    while (this.list.length > MAX_SUBSCRIPTIONS) this.list.shift();
    this.write();
  }

  // Removes a subscription; returns whether there was one.
  remove(endpoint: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((x) => x.endpoint !== endpoint);
    if (this.list.length === before) return false;
    this.write();
    return true;
  }

  private read(): Subscription[] {
    try {
      const st = fs.lstatSync(this.file);
      if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) {
        this.log.warn({ evt: 'push.store_unsafe', file: this.file }, 'the push subscriptions file is not a private file of ours: ignored');
        return [];
      }
      const v: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (!Array.isArray(v)) return [];
      return v.filter((s): s is Subscription => typeof s?.endpoint === 'string' && typeof s.p256dh === 'string' && typeof s.auth === 'string' && typeof s.added === 'number').slice(-MAX_SUBSCRIPTIONS);
    } catch {
      return [];
    }
  }

  private write(): void {
    const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(this.list), { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, this.file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      this.log.warn({ evt: 'push.store_failed', err: (err as Error).message }, 'cannot save the push subscriptions');
    }
  }
}
