// attach/ owns framed connections: this one connection (the hello, hello.ts; then a one-shot
// control request, requests.ts; the event stream, event-stream.ts; or an attachment to a session,
// target.ts, that streams its output from the ring and feeds its input), paced by send-pacer.ts,
// dropped when silent by liveness.ts, its frames travelling through a FrameTransport
// (transport.ts): a socket (socket-transport.ts) or a WebSocket.
//
// Backpressure policy for attached clients: a peer reads the ring at its own pace and never
// pauses the PTY. A peer is sent at most its window (ACK_WINDOW_BYTES for socket clients) beyond
// what it acknowledged, and nothing while its transport is congested. A peer that falls behind the
// ring's oldest byte gets a GAP frame saying how many bytes it lost, and continues from the oldest
// byte held; a peer with the "screen-skip" capability (the web page) instead jumps to a fresh
// SCREEN once it has rendered what it was sent, so a flood never makes it replay stale output.
// During a flood, output leaves at most every PACE_MS, in a few large frames (send-pacer.ts).
import type * as net from 'node:net';
import type { FrameError } from '../../protocol/decoder';
import { encode, FrameType, OUTPUT_CHUNK_BYTES, outputHeader, PROTOCOL_VERSION, type Attach, type DaemonInfo, type Frame, type Reply } from '../../protocol/frame';
import { openFeed, type EventFeed } from './event-stream';
import { attachedBody, attachTarget } from './target';
import { judgeHello } from './hello';
import { watchLiveness } from './liveness';
import { handleRequest } from './requests';
import { SendPacer } from './send-pacer';
import { socketTransport } from './socket-transport';
import type { FrameAccess, FrameTransport } from './transport';
import type { AttachPeer } from '../session/audience';
import type { Registry } from '../session/registry';
import type { ConnInput } from '../conn/input';
import type { ConnContext } from '../conn/context';
import type { Session } from '../session/session';
import { VERSION } from '../../version';

export interface AttachConfig {
  // A peer that sends nothing (not even a ping) for this long is dropped as dead.
  heartbeatTimeoutMs: number;
  maxFrameBytes: number;
  maxClients: number; // attached clients per session
  secret: string | null; // when set, HELLO must carry it as `auth`
  info: DaemonInfo; // the answer to an `info` request (pty-relay doctor)
  // `upgrade`: hands every session to a new daemon process (upgrade/); `after` runs once the
  // reply is out (the old process exits). null where it cannot.
  upgrade: (() => Promise<{ reply: Reply; after: () => void }>) | null;
}

// Unacknowledged output allowed in flight to one peer: enough to fill a fast tunnel, small enough
// that a stalled one holds little.
export const ACK_WINDOW_BYTES = 1024 * 1024;
export const CAPABILITIES = ['resume', 'screen', 'gap', 'read-only', 'input-ack', 'size', 'screen-skip', 'keep-size', 'jobs', 'events', 'repaint'];
// After an upgrade's reply, how long the client may take to close before `after` runs anyway.
const UPGRADE_REPLY_LINGER_MS = 1_000;
// A framed TCP or unix-socket client: full access once its HELLO passes the secret check.
const SOCKET_ACCESS: FrameAccess = { preAuthenticated: false, readOnly: false, session: null, windowBytes: ACK_WINDOW_BYTES };

interface Attachment {
  session: Session;
  peer: AttachPeer;
  clientId: string;
  sent: number; // next offset to send
  acked: number; // the peer has everything before this
  resyncing: boolean; // a fresh SCREEN (or a repaint) is being prepared
  repaint: { offset: number; data: Uint8Array } | null; // to send once the replay reaches its offset
}

// Serves one framed socket connection whose first bytes were `first`.
export function serveAttach(socket: net.Socket, input: ConnInput, first: Buffer, registry: Registry, config: AttachConfig, ctx: ConnContext): void {
  serveFrames(socketTransport(socket, input, first, config.maxFrameBytes), SOCKET_ACCESS, registry, config, ctx);
}

// Serves one framed connection over any transport, within `access`.
export function serveFrames(t: FrameTransport, access: FrameAccess, registry: Registry, config: AttachConfig, ctx: ConnContext): void {
  const { log } = ctx;
  let hello = false;
  let caps = new Set<string>();
  let closed = false;
  let attached: Attachment | null = null;
  let gone: (() => void) | null = null; // runs when the client has closed
  let feed: EventFeed | null = null; // a reader of the event stream
  const pacer = new SendPacer(() => pump());
  // More output may go out: at once, or paced during a flood.
  const wake = (): void => {
    if (attached !== null) pacer.wake(attached.session.audience.ring.head - attached.sent, attached.session.audience.ring.capacity);
  };

  const liveness = watchLiveness(config.heartbeatTimeoutMs, () => (log.info({ evt: 'attach.timeout', ms: config.heartbeatTimeoutMs }, 'peer silent; dropping it'), close()));

  ctx.onShutdown((reason) => fail('PR_ERR_SHUTDOWN', `the daemon is shutting down (${reason})`));
  // The sessions move to a new daemon process: an attached client reconnects there by itself.
  ctx.onHandover(() => void ((attached !== null || feed !== null) && close()));
  t.start({
    frames: (frames) => {
      for (const f of frames) {
        if (closed) return;
        handle(f);
      }
    },
    bad: (err: FrameError) => {
      log.warn({ evt: 'attach.bad_frame', code: err.code }, err.message);
      fail(err.code, err.message);
    },
    heard: () => liveness.heard(),
    drained: () => (wake(), feed?.drain()),
    closed: () => (close(), gone?.()),
  });

  function handle(f: Frame): void {
    if (!hello) {
      const judged = judgeHello(f, access.preAuthenticated ? null : config.secret, log);
      if (!(judged instanceof Set)) return fail(judged.code, judged.message);
      hello = true;
      caps = judged;
      send({ type: FrameType.HELLO, body: { proto: PROTOCOL_VERSION, caps: CAPABILITIES, agent: `pty-relay/${VERSION}` } });
      return;
    }
    switch (f.type) {
      case FrameType.ATTACH:
        return attachTo(f.body);
      case FrameType.REQUEST: {
        if (f.body.op === 'upgrade') return upgrade();
        if (f.body.op === 'events') return subscribe(f.body.session);
        // `new` answers once its program runs (a holder may take a while to start).
        void Promise.resolve(handleRequest(f.body, registry, access, log, config.info)).then((out) => {
          if (closed) return;
          if ('code' in out) return fail(out.code, out.message);
          send({ type: FrameType.REPLY, body: out.reply });
          close();
        });
        return;
      }
      case FrameType.PING:
        return send({ type: FrameType.PONG, body: { id: f.body.id } });
      case FrameType.PONG:
        return;
      case FrameType.INPUT:
        if (attached !== null) attached.session.audience.input(attached.peer, attached.clientId, f.offset, f.data);
        return;
      case FrameType.RESIZE:
        if (attached !== null) attached.session.audience.resize(attached.peer, f.body.cols, f.body.rows);
        return;
      case FrameType.ACK:
        if (attached !== null) {
          attached.acked = Math.max(attached.acked, Math.min(f.body.offset, attached.sent));
          wake();
        }
        return;
      case FrameType.DETACH:
        log.info({ evt: 'attach.detach' }, 'client detached');
        return close();
      default:
        return fail('PR_ERR_PROTOCOL', `unexpected frame type 0x${f.type.toString(16)} from a client`);
    }
  }

  function attachTo(a: Attach): void {
    if (attached !== null) return fail('PR_ERR_PROTOCOL', 'already attached');
    const target = attachTarget(a, access, registry, config.maxClients);
    if ('code' in target) return fail(target.code, target.message);
    const { session, created } = target;
    const peer: AttachPeer = {
      readOnly: a.readOnly,
      keepSize: a.keepSize === true,
      wake: () => wake(),
      // The program ended: what is left of its output, then its status.
      ended: (status, signal) => (pump(), send({ type: FrameType.EXIT, body: { status, signal } }), close()),
      resized: caps.has('size') ? (cols, rows) => send({ type: FrameType.RESIZE, body: { cols, rows } }) : undefined,
    };
    const state: Attachment = { session, peer, clientId: a.clientId, sent: 0, acked: 0, resyncing: false, repaint: null };
    if (!session.attach(peer, a.cols, a.rows)) return fail('PR_ERR_NO_SESSION', `session "${a.session}" has ended`);
    session.audience.assumeInput(a.clientId, a.inputWritten ?? 0);
    const ring = session.audience.ring;
    log.info({ evt: 'attach.attached', session: a.session, readOnly: a.readOnly, resume: a.resume, created }, 'client attached');
    const reply = (offset: number): void => send({ type: FrameType.ATTACHED, body: attachedBody(a, session, offset, created) });
    if (a.resume !== null && a.resume <= ring.head) {
      // A reconnect: replay exactly what the client has not seen (a GAP first if it left the ring),
      // then, to a client that drew over its screen while away, the visible rows as of then (when
      // the daemon knows them: not yet after a crash).
      state.sent = state.acked = a.resume;
      attached = state;
      reply(a.resume);
      if (a.repaint !== true) return pump();
      state.resyncing = true;
      void session.audience.repaint(a.cols, a.rows).then((r) => {
        if (closed || attached !== state) return;
        state.repaint = r;
        state.resyncing = false;
        pump();
      });
      return;
    }
    // A fresh attach: draw the current screen, then stream from the offset it stands for.
    state.resyncing = true;
    attached = state;
    void session.audience.snapshot().then((snap) => {
      if (closed) return;
      reply(snap.offset);
      sendScreen(state, snap);
    });
  }

  // Sends a redraw and streams on from its offset.
  function sendScreen(a: Attachment, snap: { offset: number; data: Uint8Array }): void {
    send({ type: FrameType.SCREEN, offset: snap.offset, data: snap.data });
    a.sent = snap.offset;
    // A skipping peer acknowledges the screen too (with its offset): until then it counts against
    // the window, so redraws can never pile up faster than the peer draws them.
    a.acked = caps.has('screen-skip') ? snap.offset - Math.min(snap.data.length, access.windowBytes - 1) : snap.offset;
    a.resyncing = false;
    pump();
  }

  // Sends ring bytes from the peer's position while its transport and window allow.
  function pump(): void {
    const a = attached;
    if (a === null || closed || a.resyncing) return;
    // One writev per pump: header and data (and any further chunks) leave in one system call.
    t.batch(() => pumpChunks(a));
  }

  function pumpChunks(a: Attachment): void {
    while (!t.congested && a.sent - a.acked < access.windowBytes && !a.resyncing) {
      if (a.repaint !== null && a.sent >= a.repaint.offset) {
        // (A gap that jumped past it makes it stale: the output after the gap draws on.)
        const stale = a.sent !== a.repaint.offset;
        log.info({ evt: 'attach.repaint', bytes: a.repaint.data.length, stale }, stale ? 'repaint skipped: the output went past it' : 'visible rows drawn again');
        if (!stale) send({ type: FrameType.REPAINT, offset: a.sent, data: a.repaint.data });
        a.repaint = null;
      }
      const upTo = a.repaint === null ? OUTPUT_CHUNK_BYTES : a.repaint.offset - a.sent;
      const r = a.session.audience.read(a.sent, Math.min(OUTPUT_CHUNK_BYTES, upTo, access.windowBytes - (a.sent - a.acked)));
      if (r.kind === 'none') return;
      if (r.kind === 'gap') {
        if (caps.has('screen-skip')) return skipToScreen(a, r.from);
        log.info({ evt: 'attach.gap', lost: r.to - r.from }, 'peer fell behind the ring');
        send({ type: FrameType.GAP, body: { from: r.from, to: r.to } });
        // Fast-forwarded: the ack baseline moves too, or the window would never reopen.
        a.sent = a.acked = r.to;
        continue;
      }
      t.send([outputHeader(r.offset, r.data.length), r.data]);
      a.sent += r.data.length;
      pacer.sent(r.data.length);
    }
  }

  // A skipping peer fell behind the ring: once it has drawn what it was sent, it gets a GAP for
  // everything it missed and a fresh screen.
  function skipToScreen(a: Attachment, from: number): void {
    if (a.sent > a.acked) return; // the next ACK pumps again
    a.resyncing = true;
    void a.session.audience.snapshot().then((snap) => {
      if (closed || attached !== a) return;
      // (The mirror may lag a little behind the ring; then the screen is older and nothing is skipped.)
      if (snap.offset > from) {
        log.info({ evt: 'attach.skip', skipped: snap.offset - from }, 'peer jumped to a fresh screen');
        send({ type: FrameType.GAP, body: { from, to: snap.offset } });
      }
      sendScreen(a, snap);
    });
  }

  function subscribe(session: string | null): void {
    if (attached !== null || feed !== null) return fail('PR_ERR_PROTOCOL', 'this connection is in use');
    const out = openFeed(session, registry, access, { send: (body) => send({ type: FrameType.EVENT, body }), get congested() { return t.congested; } }, log);
    if ('code' in out) return fail(out.code, out.message);
    feed = out;
  }

  function send(f: Frame): void {
    if (!closed) t.send([encode(f)]);
  }

  function fail(code: string, message: string): void {
    send({ type: FrameType.ERROR, body: { code, message } });
    close();
  }

  // `pty-relay upgrade`, for a client with full access (not the web page, not a watch link): the
  // reply goes out, then `after` runs once the client has closed (or after a moment).
  function upgrade(): void {
    if (config.upgrade === null) return fail('PR_ERR_UPGRADE', 'this daemon cannot upgrade itself');
    if (access.preAuthenticated || access.readOnly || access.session !== null) return fail('PR_ERR_AUTH', "only a client on the daemon's port or socket can upgrade it");
    liveness.stop(); // the client waits quietly for as long as the upgrade takes
    void config.upgrade().then(({ reply, after }) => {
      if (closed) return after(); // the client left meanwhile: the upgrade went on regardless
      const timer = setTimeout(() => gone?.(), UPGRADE_REPLY_LINGER_MS);
      gone = () => (clearTimeout(timer), (gone = null), after());
      send({ type: FrameType.REPLY, body: reply });
      close();
    });
  }

  function close(): void {
    if (closed) return;
    closed = true;
    liveness.stop();
    pacer.stop();
    feed?.close();
    if (attached !== null) attached.session.detachPeer(attached.peer);
    t.close();
  }
}
