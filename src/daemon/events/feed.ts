// One reader of the event stream (`pty-relay events`, `pty-relay notify`) on a framed connection.
// Backpressure policy: events go out at once while the connection keeps up; while it is congested
// they wait in a queue of at most FEED_QUEUE_EVENTS, and past that they are dropped and counted.
// Once the reader catches up it gets the queue, then one `dropped` event saying how many it lost.
// So a reader that stops reading costs the daemon a bounded amount of memory and no time.
import type { RelayEvent } from '../../protocol/events';
import type { EventBus } from './bus';

// Events a congested reader may have waiting: minutes of a busy session's events, ~100 KB.
export const FEED_QUEUE_EVENTS = 256;

export interface FeedSink {
  send(e: RelayEvent): void;
  readonly congested: boolean;
}

export class EventFeed {
  private readonly queue: RelayEvent[] = [];
  private dropped = 0;
  private readonly unsubscribe: () => void;

  constructor(
    bus: EventBus,
    private readonly wanted: (e: RelayEvent) => boolean,
    private readonly sink: FeedSink,
    private readonly onDrop: (count: number) => void = () => undefined,
    private readonly limit = FEED_QUEUE_EVENTS,
  ) {
    this.unsubscribe = bus.subscribe((e) => this.push(e));
  }

  private push(e: RelayEvent): void {
    if (!this.wanted(e)) return;
    if (this.queue.length === 0 && this.dropped === 0 && !this.sink.congested) return this.sink.send(e);
    if (this.queue.length >= this.limit) {
      if (this.dropped++ === 0) this.onDrop(this.dropped);
      return;
    }
    this.queue.push(e);
  }

  // The connection drained: send what waits, while it keeps up.
  drain(): void {
    while (this.queue.length > 0 && !this.sink.congested) this.sink.send(this.queue.shift() as RelayEvent);
    if (this.queue.length === 0 && this.dropped > 0 && !this.sink.congested) {
      this.sink.send({ type: 'dropped', time: new Date().toISOString(), session: null, count: this.dropped });
      this.dropped = 0;
    }
  }

  get waiting(): number {
    return this.queue.length;
  }

  close(): void {
    this.unsubscribe();
    this.queue.length = 0;
  }
}
