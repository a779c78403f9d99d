// One framed connection: the hello, then either a one-shot control request (ls, kill, new) or an
// attachment to a session that streams its output from the ring and feeds its input.
//
// Backpressure policy for attached clients: a peer reads the ring at its own pace and never
// pauses the PTY. A peer is sent at most ACK_WINDOW_BYTES beyond what it acknowledged, and nothing
// while its socket is congested; a peer that falls behind the ring's oldest byte gets a GAP frame
// saying how many bytes it lost, and continues from the oldest byte held.
import type * as net from 'node:net';
import { RelayError } from '../../errors';
import { Decoder, FrameError } from '../../protocol/decoder';
import { encode, FrameType, OUTPUT_CHUNK_BYTES, outputHeader, PROTOCOL_VERSION, type Attach, type DaemonInfo, type Frame, type Reply, type Request } from '../../protocol/frame';
import { validateSessionName } from '../../protocol/session-name';
import type { AttachPeer } from '../session/audience';
import type { Registry } from '../session/registry';
import type { ConnInput } from '../server/input';
import { secretMatches } from '../server/security';
import type { ConnContext } from '../server/server';
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
  // reply is sent (the old process exits). null where it cannot.
  upgrade: (() => Promise<{ reply: Reply; after: () => void }>) | null;
}

// Unacknowledged output allowed in flight to one peer: enough to fill a fast tunnel, small enough
// that a stalled one holds little.
export const ACK_WINDOW_BYTES = 1024 * 1024;
export const CAPABILITIES = ['resume', 'screen', 'gap', 'read-only', 'input-ack'];

// Serves one framed connection whose first bytes were `first`.
export function serveAttach(socket: net.Socket, input: ConnInput, first: Buffer, registry: Registry, config: AttachConfig, ctx: ConnContext): void {
  const { log } = ctx;
  const decoder = new Decoder(config.maxFrameBytes);
  let hello = false;
  let closed = false;
  let lastHeard = Date.now();
  let attached: { session: Session; peer: AttachPeer; clientId: string; sent: number; acked: number } | null = null;

  const heartbeat = setInterval(() => {
    if (Date.now() - lastHeard > config.heartbeatTimeoutMs) {
      log.info({ evt: 'attach.timeout', ms: config.heartbeatTimeoutMs }, 'peer silent; dropping it');
      close();
    }
  }, Math.max(50, Math.floor(config.heartbeatTimeoutMs / 4)));
  heartbeat.unref();

  input.on('data', onData);
  socket.on('drain', () => pump());
  ctx.onShutdown((reason) => fail('PR_ERR_SHUTDOWN', `the daemon is shutting down (${reason})`));
  // The sessions move to a new daemon process: an attached client reconnects there by itself.
  ctx.onHandover(() => {
    if (attached !== null) close();
  });
  socket.on('close', () => close());
  input.on('end', () => close());
  onData(first);

  function onData(chunk: Buffer): void {
    lastHeard = Date.now();
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      log.warn({ evt: 'attach.bad_frame', code: err.code }, err.message);
      return fail(err.code, err.message);
    }
    for (const f of frames) {
      if (closed) return;
      handle(f);
    }
  }

  function handle(f: Frame): void {
    if (!hello) {
      if (f.type !== FrameType.HELLO) return fail('PR_ERR_PROTOCOL', 'the first frame must be HELLO');
      if (f.body.proto !== PROTOCOL_VERSION) {
        return fail('PR_ERR_VERSION', `client speaks protocol ${f.body.proto}, this daemon speaks ${PROTOCOL_VERSION}; use matching pty-relay versions`);
      }
      if (config.secret !== null) {
        const auth: unknown = f.body.auth;
        if (typeof auth !== 'string' || !secretMatches(auth, config.secret)) {
          log.warn({ evt: 'attach.auth_failed', presented: typeof auth === 'string' }, 'authentication failed');
          return fail('PR_ERR_AUTH', typeof auth === 'string' ? 'authentication failed' : 'authentication required: set PTY_RELAY_SECRET or --secret-file');
        }
      }
      hello = true;
      send({ type: FrameType.HELLO, body: { proto: PROTOCOL_VERSION, caps: CAPABILITIES, agent: `pty-relay/${VERSION}` } });
      return;
    }
    switch (f.type) {
      case FrameType.ATTACH:
        return attachTo(f.body);
      case FrameType.REQUEST:
        return request(f.body);
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
          pump();
        }
        return;
      case FrameType.DETACH:
        log.info({ evt: 'attach.detach' }, 'client detached');
        return close();
      default:
        return fail('PR_ERR_PROTOCOL', `unexpected frame type 0x${f.type.toString(16)} from a client`);
    }
  }

  function request(r: Request): void {
    if (r.op === 'ls') {
      send({ type: FrameType.REPLY, body: { ok: true, sessions: registry.summaries() } });
      return close();
    }
    if (r.op === 'info') {
      send({ type: FrameType.REPLY, body: { ok: true, info: config.info } });
      return close();
    }
    if (r.op === 'upgrade') {
      if (config.upgrade === null) return fail('PR_ERR_UPGRADE', 'this daemon cannot upgrade itself');
      clearInterval(heartbeat); // the client waits quietly for as long as the upgrade takes
      void config.upgrade().then(({ reply, after }) => {
        if (closed) return after(); // the client left meanwhile: the upgrade went on regardless
        send({ type: FrameType.REPLY, body: reply });
        close(after);
      });
      return;
    }
    const err = validateSessionName(r.session);
    if (err !== null) return fail('PR_ERR_SESSION_NAME', err);
    if (r.op === 'kill') {
      if (!registry.kill(r.session)) return fail('PR_ERR_NO_SESSION', `no session named "${r.session}"`);
      log.info({ evt: 'session.killed', session: r.session }, 'session killed');
      send({ type: FrameType.REPLY, body: { ok: true } });
      return close();
    }
    let s: Session | null;
    try {
      s = registry.create(r.session, r.command, r.cols, r.rows);
    } catch (e) {
      if (e instanceof RelayError) return fail(e.code, e.message);
      throw e;
    }
    if (s === null) return fail('PR_ERR_SESSION_EXISTS', `a session named "${r.session}" already exists`);
    // Start it now: a session made with `new` runs whether or not anyone attaches.
    if (!s.ensureRunning()) {
      registry.kill(r.session);
      return fail('PR_ERR_SPAWN', `cannot start ${r.command.join(' ')}`);
    }
    send({ type: FrameType.REPLY, body: { ok: true, pid: s.pid } });
    close();
  }

  function attachTo(a: Attach): void {
    if (attached !== null) return fail('PR_ERR_PROTOCOL', 'already attached');
    const err = validateSessionName(a.session);
    if (err !== null) return fail('PR_ERR_SESSION_NAME', err);
    let session = registry.find(a.session);
    const created = session === undefined;
    if (session === undefined) {
      if (!a.create) return fail('PR_ERR_NO_SESSION', `no session named "${a.session}"`);
      try {
        session = registry.get(a.session);
      } catch (e) {
        if (e instanceof RelayError) return fail(e.code, e.message);
        throw e;
      }
    }
    if (session.audience.clients >= config.maxClients) {
      return fail('PR_ERR_LIMIT', `session "${a.session}" already has ${config.maxClients} clients attached (--max-clients)`);
    }
    const peer: AttachPeer = { readOnly: a.readOnly, wake: () => pump(), ended: (status, signal) => ended(status, signal) };
    const state = { session, peer, clientId: a.clientId, sent: 0, acked: 0 };
    if (!session.attach(peer, a.cols, a.rows)) return fail('PR_ERR_NO_SESSION', `session "${a.session}" has ended`);
    const ring = session.audience.ring;
    log.info({ evt: 'attach.attached', session: a.session, readOnly: a.readOnly, resume: a.resume, created }, 'client attached');
    const reply = (offset: number): void => {
      send({ type: FrameType.ATTACHED, body: { session: a.session, pid: session.pid, offset, created, inputAck: session.audience.inputAck(a.clientId) } });
    };
    if (a.resume !== null && a.resume <= ring.head) {
      // A reconnect: replay exactly what the client has not seen (a GAP first if it left the ring).
      state.sent = state.acked = a.resume;
      attached = state;
      reply(a.resume);
      pump();
      return;
    }
    // A fresh attach: draw the current screen, then stream from the offset it stands for.
    void session.audience.snapshot().then((snap) => {
      if (closed) return;
      state.sent = state.acked = snap.offset;
      attached = state;
      reply(snap.offset);
      send({ type: FrameType.SCREEN, offset: snap.offset, data: snap.data });
      pump();
    });
  }

  // Sends ring bytes from the peer's position while its socket and window allow.
  function pump(): void {
    const a = attached;
    if (a === null || closed) return;
    // One writev per pump: header and data (and any further chunks) leave in one system call.
    socket.cork();
    try {
      pumpChunks(a);
    } finally {
      socket.uncork();
    }
  }

  function pumpChunks(a: NonNullable<typeof attached>): void {
    while (!socket.writableNeedDrain && a.sent - a.acked < ACK_WINDOW_BYTES) {
      const r = a.session.audience.read(a.sent, Math.min(OUTPUT_CHUNK_BYTES, ACK_WINDOW_BYTES - (a.sent - a.acked)));
      if (r.kind === 'none') return;
      if (r.kind === 'gap') {
        log.info({ evt: 'attach.gap', lost: r.to - r.from }, 'peer fell behind the ring');
        send({ type: FrameType.GAP, body: { from: r.from, to: r.to } });
        a.sent = a.acked = r.to;
        continue;
      }
      socket.write(outputHeader(r.offset, r.data.length));
      socket.write(r.data);
      a.sent += r.data.length;
    }
  }

  function ended(status: number, signal: number): void {
    pump();
    send({ type: FrameType.EXIT, body: { status, signal } });
    close();
  }

  function send(f: Frame): void {
    if (!closed) socket.write(encode(f));
  }

  function fail(code: string, message: string): void {
    send({ type: FrameType.ERROR, body: { code, message } });
    close();
  }

  // `after` runs once our last words left (or the socket is gone).
  function close(after?: () => void): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    if (attached !== null) attached.session.detachPeer(attached.peer);
    if (socket.destroyed) after?.();
    else
      socket.end(() => {
        socket.destroy();
        after?.();
      });
  }
}
