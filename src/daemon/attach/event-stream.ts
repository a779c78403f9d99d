// `REQUEST {op: events}`: the connection becomes a reader of the daemon's event stream, within what
// its access allows (a link limited to one session hears only that session's events).
import type { Logger } from '../../log';
import { validateSessionName } from '../../protocol/session-name';
import { EventFeed, type FeedSink } from '../events/feed';
import type { Registry } from '../session/registry';
import type { FrameAccess } from './transport';

export type { EventFeed } from '../events/feed';

// A feed of the events of `session` (null: every session this connection may see), or the refusal.
export function openFeed(session: string | null, registry: Registry, access: FrameAccess, sink: FeedSink, log: Logger): EventFeed | { code: string; message: string } {
  if (session !== null) {
    const err = validateSessionName(session);
    if (err !== null) return { code: 'PR_ERR_SESSION_NAME', message: err };
  }
  if (access.session !== null && session !== null && session !== access.session) return { code: 'PR_ERR_AUTH', message: `this link only gives access to session "${access.session}"` };
  const only = session ?? access.session;
  log.info({ evt: 'events.subscribed', session: only }, 'event reader subscribed');
  const onDrop = (): void => log.info({ evt: 'events.dropping', session: only }, 'event reader too slow: dropping its events');
  return new EventFeed(registry.events, (e) => only === null || e.session === only || e.session === null, sink, onDrop);
}
