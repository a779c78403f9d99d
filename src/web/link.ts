// The page's framed connection to the daemon: a WebSocket to /ws carrying one frame per binary
// message, in the daemon's own protocol (src/protocol/ encodes and decodes every byte).
import { decodeMessage, FrameError } from '../protocol/decoder';
import { encode, FrameType, PROTOCOL_VERSION, type Frame, type Reply, type Request } from '../protocol/frame';

// What the page can handle: redraws, gaps, read-only, exactly-once input, size updates, jumping to
// a fresh screen when it falls behind, attaching without resizing, and the job list.
export const PAGE_CAPS = ['resume', 'screen', 'gap', 'read-only', 'input-ack', 'size', 'screen-skip', 'keep-size', 'jobs'];

export interface LinkHandlers {
  // The daemon's HELLO came: the link is ready for ATTACH or REQUEST.
  ready(): void;
  frame(f: Frame): void;
  // The link is gone; `opened` says whether it ever connected.
  closed(opened: boolean, why: string): void;
}

export interface Link {
  send(f: Frame): void;
  close(): void;
}

// Opens the WebSocket and exchanges HELLO.
export function openLink(h: LinkHandlers): Link {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.binaryType = 'arraybuffer';
  let opened = false;
  let done = false;
  let hello = false;
  const finish = (why: string): void => {
    if (done) return;
    done = true;
    h.closed(opened, why);
  };
  const send = (f: Frame): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(encode(f));
  };
  ws.onopen = () => {
    opened = true;
    send({ type: FrameType.HELLO, body: { proto: PROTOCOL_VERSION, caps: PAGE_CAPS, agent: 'pty-relay-web' } });
  };
  ws.onmessage = (ev: MessageEvent) => {
    if (!(ev.data instanceof ArrayBuffer)) return;
    let f: Frame;
    try {
      f = decodeMessage(new Uint8Array(ev.data));
    } catch (err) {
      ws.close();
      return finish(err instanceof FrameError ? `bad frame from the daemon: ${err.message}` : String(err));
    }
    if (!hello && f.type === FrameType.HELLO) {
      hello = true;
      return h.ready();
    }
    h.frame(f);
  };
  ws.onclose = (ev: CloseEvent) => finish(ev.code === 1000 ? 'closed by the daemon' : `connection lost (${ev.code})`);
  ws.onerror = () => finish('connection failed');
  return {
    send,
    close: () => {
      done = true;
      ws.close();
    },
  };
}

// Sends one control request; resolves to the daemon's reply (an ERROR frame becomes ok: false).
export function request(req: Request): Promise<Reply> {
  return new Promise((resolve) => {
    let reply: Reply | null = null;
    const link = openLink({
      ready: () => link.send({ type: FrameType.REQUEST, body: req }),
      frame: (f) => {
        if (f.type === FrameType.REPLY) reply = f.body;
        else if (f.type === FrameType.ERROR) reply = { ok: false, code: f.body.code, message: f.body.message };
        if (reply !== null) {
          link.close();
          resolve(reply);
        }
      },
      closed: (_, why) => resolve(reply ?? { ok: false, code: 'PR_ERR_CONNECT', message: why }),
    });
  });
}

// True when the browser is still signed in (the daemon answers / with the app, not the 403 page).
export async function signedIn(): Promise<boolean> {
  try {
    const r = await fetch('/', { credentials: 'same-origin', cache: 'no-store' });
    return r.status !== 403;
  } catch {
    return true; // unreachable is not signed out
  }
}
