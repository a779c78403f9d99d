// events/ owns the daemon's event stream: this bus, its readers (feed.ts, the `serve --on-event`
// hook: hook.ts), when "waiting for input" is news (wait-gate.ts) and the terminal bell (bell.ts).
//
// The daemon's events (protocol/events.ts): sessions, jobs and clients publish here; subscribers
// are the readers of `pty-relay events` (feed.ts) and the `serve --on-event` hook (hook.ts).
// Publishing is synchronous and O(subscribers): a subscriber only queues, within its own bound,
// so nothing a reader does can slow the session that published.
import type { RelayEvent } from '../../protocol/events';

// An event before it is stamped with its time.
export type EventBody = RelayEvent extends infer E ? (E extends RelayEvent ? Omit<E, 'time'> : never) : never;
export type Emit = (e: EventBody) => void;

export class EventBus {
  private readonly subscribers = new Set<(e: RelayEvent) => void>();

  // Stamps `e` with the time and hands it to every subscriber.
  publish(e: EventBody): void {
    if (this.subscribers.size === 0) return;
    const event = { time: new Date().toISOString(), ...e } as RelayEvent;
    for (const fn of [...this.subscribers]) fn(event);
  }

  // Calls `fn` for every event from now on; returns the unsubscribe function.
  subscribe(fn: (e: RelayEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get size(): number {
    return this.subscribers.size;
  }
}
