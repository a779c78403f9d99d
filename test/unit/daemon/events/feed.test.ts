import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../../src/daemon/events/bus';
import { EventFeed } from '../../../../src/daemon/events/feed';
import type { RelayEvent } from '../../../../src/protocol/events';

function setup(limit: number) {
  const bus = new EventBus();
  const sent: RelayEvent[] = [];
  const sink = { congested: false, send: (e: RelayEvent) => void sent.push(e) };
  const drops: number[] = [];
  const feed = new EventFeed(bus, (e) => e.session === 'a', sink, (n) => drops.push(n), limit);
  const bell = (session = 'a'): void => bus.publish({ type: 'bell', session });
  return { bus, sent, sink, feed, bell, drops };
}

describe('EventFeed', () => {
  it('sends at once while the reader keeps up, only what it wants', () => {
    const t = setup(2);
    t.bell();
    t.bell('b');
    expect(t.sent.map((e) => [e.type, e.session])).toEqual([['bell', 'a']]);
    expect(typeof t.sent[0]?.time).toBe('string');
  });

  it('queues within its bound while congested, drops past it, and tells the count once it catches up', () => {
    const t = setup(2);
    t.sink.congested = true;
    for (let i = 0; i < 5; i++) t.bell();
    expect(t.sent).toHaveLength(0);
    expect(t.feed.waiting).toBe(2);
    expect(t.drops).toEqual([1]); // logged once, when dropping starts
    t.sink.congested = false;
    t.feed.drain();
    expect(t.sent.map((e) => e.type)).toEqual(['bell', 'bell', 'dropped']);
    expect(t.sent[2]).toMatchObject({ count: 3, session: null });
    t.bell();
    expect(t.sent).toHaveLength(4);
  });

  it('keeps order: a new event waits behind the queue', () => {
    const t = setup(4);
    t.sink.congested = true;
    t.bus.publish({ type: 'client-detached', session: 'a', clients: 1 });
    t.sink.congested = false;
    t.bell(); // not congested, but the queue is not empty
    expect(t.sent).toHaveLength(0);
    t.feed.drain();
    expect(t.sent.map((e) => e.type)).toEqual(['client-detached', 'bell']);
  });

  it('stops hearing the bus once closed', () => {
    const t = setup(2);
    t.feed.close();
    t.bell();
    expect(t.sent).toHaveLength(0);
    expect(t.bus.size).toBe(0);
  });
});
