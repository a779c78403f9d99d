import { describe, expect, it } from 'vitest';
import { openFeed } from '../../../../src/daemon/attach/event-stream';
import type { FrameAccess } from '../../../../src/daemon/attach/transport';
import { EventBus } from '../../../../src/daemon/events/bus';
import type { Registry } from '../../../../src/daemon/session/registry';
import { createLogger } from '../../../../src/log';
import type { RelayEvent } from '../../../../src/protocol/events';

const log = createLogger('silent');
const access = (session: string | null, readOnly = false): FrameAccess => ({ preAuthenticated: session !== null, readOnly, session, windowBytes: 1 });

function open(session: string | null, a: FrameAccess) {
  const bus = new EventBus();
  const sent: RelayEvent[] = [];
  const feed = openFeed(session, { events: bus } as unknown as Registry, a, { congested: false, send: (e) => void sent.push(e) }, log);
  for (const s of ['one', 'two']) bus.publish({ type: 'bell', session: s });
  return { feed, sent: sent.map((e) => e.session) };
}

describe('openFeed', () => {
  it('gives a full-access connection every session, or the one it asks for', () => {
    expect(open(null, access(null)).sent).toEqual(['one', 'two']);
    expect(open('two', access(null)).sent).toEqual(['two']);
  });

  it('keeps a link limited to one session (a read-only watch link too) to that session', () => {
    expect(open(null, access('one', true)).sent).toEqual(['one']);
    expect(open('one', access('one')).sent).toEqual(['one']);
    expect(open('two', access('one'))).toMatchObject({ feed: { code: 'PR_ERR_AUTH' }, sent: [] });
  });

  it('refuses a bad session name', () => {
    expect(open('../x', access(null)).feed).toMatchObject({ code: 'PR_ERR_SESSION_NAME' });
  });
});
