// Reads the daemon's event stream (REQUEST {op: events}) on a framed connection: pings to keep the
// link alive, and, when asked, reconnects with backoff after a dropped tunnel (`pty-relay notify`
// runs for days). Events that happen while disconnected are not replayed: the stream is live.
import { backoffDelay, RECONNECT_BACKOFF } from '../backoff';
import { RelayError } from '../errors';
import type { RelayEvent } from '../protocol/events';
import { FrameType } from '../protocol/frame';
import type { Endpoint } from './endpoint';
import { replyError } from './explain';
import { openLink, type Link } from './link';

export interface EventStreamOptions {
  endpoint: Endpoint;
  secret: string | null;
  session: string | null; // null: every session
  heartbeatMs: number; // ping interval; silent for 3 intervals = a dead link
  reconnect: boolean; // false: the first lost connection ends the stream
  onEvent(e: RelayEvent): void;
  status(text: string): void; // connection news for a person (stderr)
}

// Runs until the connection ends (or, reconnecting, until the daemon refuses us for good);
// rejects with the reason.
export function streamEvents(o: EventStreamOptions): Promise<never> {
  return new Promise((_resolve, reject) => {
    let attempt = 0;
    let done = false; // the daemon refused the stream: no retry
    const connect = (): void => {
      let lastHeard = Date.now();
      let pingId = 0;
      const timer = setInterval(() => {
        if (Date.now() - lastHeard > 3 * o.heartbeatMs) return link.destroy();
        link.send({ type: FrameType.PING, body: { id: ++pingId } });
      }, o.heartbeatMs);
      const link: Link = openLink(o.endpoint, o.secret, {
        onFrame(f) {
          lastHeard = Date.now();
          if (f.type === FrameType.HELLO) {
            if (attempt > 0) o.status('reconnected: events resume from now');
            attempt = 0;
            link.send({ type: FrameType.REQUEST, body: { op: 'events', session: o.session } });
          } else if (f.type === FrameType.EVENT) o.onEvent(f.body);
          else if (f.type === FrameType.PING) link.send({ type: FrameType.PONG, body: { id: f.body.id } });
          else if (f.type === FrameType.ERROR) {
            done = true;
            reject(replyError({ ok: false, ...f.body }, o.secret !== null));
            link.destroy();
          }
        },
        onClose(err, final) {
          clearInterval(timer);
          if (done) return;
          const why = err ?? new RelayError('PR_ERR_CONNECT', 'the daemon closed the event stream');
          if (!o.reconnect || final) return reject(why);
          attempt++;
          const delay = backoffDelay(RECONNECT_BACKOFF, attempt);
          o.status(`${why.message} (retrying in ${(delay / 1000).toFixed(1)} s, attempt ${attempt})`);
          setTimeout(connect, delay);
        },
      });
    };
    connect();
  });
}
