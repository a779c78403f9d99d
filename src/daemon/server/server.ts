// server/ owns the listening side: binding the loopback addresses and a private unix socket
// (listeners.ts), admitting or refusing each connection (gate.ts: who the peer is, peer-uid.ts and
// security.ts; the connection rate), sniffing its first bytes and handing it to exec mode (text),
// attach mode (frames) or, with --web, the in-process HTTP server (an HTTP request).
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Logger } from '../../log';
import { route, sniff, type Route } from '../../protocol/sniff';
import { serveAttach, type AttachConfig } from '../attach/attach';
import { serveExec, type ExecConfig } from '../exec/connection';
import { Gate, type AccessConfig, type Verdict } from './gate';
import { MeteredInput } from '../conn/input';
import type { BucketConfig } from '../base/rate-limit';
import type { Registry } from '../session/registry';
import { bindAll, type InheritedListener } from './listeners';
import type { ConnContext, HttpHandOff } from '../conn/context';
import { peerUidLookup } from './peer-uid';
import { afterReads } from '../base/after-reads';

export interface ServerConfig {
  hosts: string[];
  port: number;
  unixSocket: string | null;
  // A client that connects and sends nothing is closed after this long.
  handshakeMs: number;
  access: AccessConfig;
  inputRate: BucketConfig; // per connection
  exec: ExecConfig;
  attach: AttachConfig;
  web: HttpHandOff | null; // null: HTTP is refused as exec text
  // Listen on these inherited sockets (a handover from an earlier daemon) instead of binding.
  inherited?: InheritedListener[];
}

export interface RunningServer {
  port: number;
  addresses: string[];
  // Tells every client why, then closes the listeners and, after a grace period, the connections.
  close(reason: string): Promise<void>;
  // What a handover (upgrade/) needs; see handover-hooks below.
  handover: HandoverHooks;
}

// The server's side of a handover to a new daemon process (upgrade/).
export interface HandoverHooks {
  // The listening sockets' fds, to pass to the new process.
  listeners(): InheritedListener[];
  // While parking, new connections are held unread instead of served.
  park(on: boolean): void;
  // The parked connections, taken out of the server (to be handed over).
  takeParked(): Array<{ socket: net.Socket; viaUnix: boolean }>;
  // Serves a connection: a parked one, or one handed over by the earlier daemon.
  serve(socket: net.Socket, viaUnix: boolean): void;
  // Connections neither attached nor finished (exec requests, connections not yet sniffed).
  busy(): number;
  // Runs every connection's handover hook (attached clients are let go, to reconnect).
  letGo(): void;
  // Stops listening, leaving the unix socket's path to the new daemon.
  stopListening(): void;
}

let connCounter = 0;
// How long shutdown waits for open connections to finish their last words.
const CLOSE_GRACE_MS = 2_000;
// How long another user's refused connection may linger for its refusal line to be read: on
// loopback the line arrives within microseconds; this only bounds a client that never closes.
const OTHER_USER_GRACE_MS = 200;
// With --web, how long bytes that could still become an HTTP request line ("GET /x") wait for
// more before they count as shell text. A browser sends its request line in one packet.
const UNDECIDED_QUIET_MS = 300;

// Binds every host on one port (the first bind picks it when port is 0), or listens on the
// sockets inherited in a handover, and starts serving.
export async function startServer(config: ServerConfig, registry: Registry, log: Logger): Promise<RunningServer> {
  const notifiers = new Map<net.Socket, (reason: string) => void>();
  const letGo = new Map<net.Socket, () => void>();
  const sockets = new Set<net.Socket>();
  const framed = new WeakSet<net.Socket>(); // attached clients and control requests
  let parked: Array<{ socket: net.Socket; viaUnix: boolean }> | null = null;
  const uids = peerUidLookup(process.env, (reason) => log.warn({ evt: 'server.peer_uid', method: 'proc', reason }, 'peer-uid lookup: netlink failed; reading /proc/net/tcp from now on'));
  log.info(
    { evt: 'server.peer_uid', method: uids.method, detail: uids.detail, unix: uids.unixMethod },
    `peer-uid lookup: ${uids.method === 'netlink' ? 'netlink sock_diag' : '/proc/net/tcp scan'}; unix peers: ${uids.unixMethod === 'peercred' ? 'SO_PEERCRED' : 'the socket file mode only'}`,
  );
  const gate = new Gate(config.access, uids);
  const serve = (socket: net.Socket, viaUnix: boolean): void => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      notifiers.delete(socket);
      letGo.delete(socket);
    });
    const ctx: ConnContext = { log: log.child({ conn: ++connCounter }), onShutdown: (fn) => notifiers.set(socket, fn), onHandover: (fn) => letGo.set(socket, fn) };
    accept(socket, viaUnix, gate, config, registry, ctx, framed);
  };
  // Paused on connect: nothing is read before the verdict, and a parked connection can be handed
  // to another process whole.
  const make = (viaUnix: boolean): net.Server =>
    net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => {
      if (parked === null) return serve(socket, viaUnix);
      parked.push({ socket, viaUnix });
      log.debug({ evt: 'conn.parked', viaUnix, parked: parked.length }, 'connection parked during a handover');
    });
  const { servers, port, addresses } = await bindAll(config, make, log);
  const closeAll = (): void => {
    for (const srv of servers) srv.server.close();
  };
  log.info({ evt: 'server.listening', port, addresses }, `listening on ${addresses.join(' and ')}`);
  return {
    port,
    addresses,
    close: async (reason) => {
      closeAll();
      for (const notify of notifiers.values()) notify(reason);
      const until = Date.now() + CLOSE_GRACE_MS;
      while (sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.destroy();
      if (config.unixSocket !== null) fs.rmSync(config.unixSocket, { force: true });
    },
    handover: {
      listeners: () => servers.map((s) => ({ fd: (s.server as unknown as { _handle: { fd: number } })._handle.fd, viaUnix: s.viaUnix, ...(s.guard === true ? { guard: true } : {}) })),
      park: (on) => {
        if (on) parked ??= [];
        else for (const p of parked?.splice(0) ?? []) serve(p.socket, p.viaUnix);
        if (!on) parked = null;
      },
      takeParked: () => parked?.splice(0) ?? [],
      serve,
      busy: () => [...sockets].filter((s) => !framed.has(s) && !s.writableFinished && !s.destroyed).length,
      letGo: () => {
        for (const fn of [...letGo.values()]) fn();
      },
      stopListening: closeAll,
    },
  };
}

// Admits the connection, waits for its first bytes, then dispatches on them.
function accept(socket: net.Socket, viaUnix: boolean, gate: Gate, config: ServerConfig, registry: Registry, ctx: ConnContext, framed: WeakSet<net.Socket>): void {
  const { log } = ctx;
  const peer = viaUnix ? 'unix' : `${socket.remoteAddress}:${socket.remotePort}`;
  socket.on('error', (err) => log.debug({ evt: 'conn.error', err: err.message }, 'socket error'));
  // Nothing is read until the verdict: the socket stays paused, its bytes wait in the kernel.
  void gate.admit(socket, viaUnix).then((verdict) => {
    if (!socket.destroyed) admitted(socket, verdict, peer, config, registry, ctx, framed);
  });
}

function admitted(socket: net.Socket, verdict: Verdict, peer: string, config: ServerConfig, registry: Registry, ctx: ConnContext, framed: WeakSet<net.Socket>): void {
  const { log } = ctx;
  if (!verdict.ok) {
    log.warn({ evt: 'conn.refused', peer, uid: verdict.uid, reason: verdict.reason }, verdict.message);
    // Another user's connection is dropped soon after its one line: a flood of them must not
    // hold the daemon's descriptors for the full grace.
    refuse(socket, `pty-relay: error: ${verdict.message}\n`, verdict.reason === 'uid' ? OTHER_USER_GRACE_MS : CLOSE_GRACE_MS);
    return;
  }
  log.info({ evt: 'conn.accepted', peer, uid: verdict.uid }, 'connection accepted');
  // Judged after the turn's reads (base/after-reads.ts): a request sent in time that waits unread
  // while the daemon was held up is not refused as never sent.
  let routed = false;
  const handshake = setTimeout(() => afterReads(() => !routed && !socket.destroyed, () => {
    log.info({ evt: 'conn.handshake_timeout' }, 'no request received');
    socket.end(`pty-relay: error: no request received within ${config.handshakeMs / 1000} s\n`, () => socket.destroy());
  }), config.handshakeMs);
  socket.once('close', () => clearTimeout(handshake));
  readFirst(socket, config.web !== null, (first, kind, ended) => {
    routed = true;
    clearTimeout(handshake);
    // Connected and closed without a byte (a port check such as `nc -z`): nothing to do.
    if (first === null) return void socket.destroy();
    // Attached clients, control requests and the web page's connections: long-lived or quick,
    // a handover does not wait for them (they reconnect, see upgrade/).
    if (kind !== 'text') framed.add(socket);
    if (kind === 'http' && config.web !== null) return config.web.take(socket, first, ctx);
    const input = new MeteredInput(socket, config.inputRate, first, ended);
    input.once('data', (chunk: Buffer) => {
      if (kind === 'frames') serveAttach(socket, input, chunk, registry, config.attach, ctx);
      else serveExec(socket, input, chunk, registry, config.exec, ctx);
    });
  });
}

// Reads a connection's first bytes in paused mode and says where they go. Paused mode matters:
// bytes read this way can be put back (unshift) for Node's HTTP server, while the flowing
// 'data' form hangs its parser (nodejs/node#44887, DESIGN.md §8). Without an HTTP server the
// first chunk decides, as it always did.
function readFirst(socket: net.Socket, web: boolean, done: (first: Buffer | null, kind: Route, ended: boolean) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  let quiet: NodeJS.Timeout | null = null;
  let finished = false;
  const finish = (kind: Route, ended: boolean): void => {
    if (finished) return;
    finished = true;
    if (quiet !== null) clearTimeout(quiet);
    socket.off('readable', onReadable);
    socket.off('end', onEnd);
    socket.off('close', onClose);
    done(buf.length === 0 ? null : buf, kind, ended);
  };
  const onReadable = (): void => {
    for (let c: Buffer | null; (c = socket.read() as Buffer | null) !== null; ) buf = buf.length === 0 ? c : Buffer.concat([buf, c]);
    if (buf.length === 0) return;
    const kind = web ? route(buf) : sniff(buf);
    if (kind !== 'undecided') return finish(kind, false);
    if (quiet !== null) clearTimeout(quiet);
    const had = buf.length; // more bytes read meanwhile decide again (base/after-reads.ts)
    quiet = setTimeout(() => afterReads(() => !finished && buf.length === had, () => finish('text', false)), UNDECIDED_QUIET_MS);
  };
  const onEnd = (): void => finish(buf.length > 0 && buf[0] === 0 ? 'frames' : 'text', true);
  const onClose = (): void => {
    if (quiet !== null) clearTimeout(quiet);
    finished = true;
  };
  socket.on('readable', onReadable);
  socket.on('end', onEnd);
  socket.on('close', onClose);
}

// Says why and closes. The client's bytes may already be waiting unread (it sent its request
// while the verdict was pending), and closing over unread data makes the kernel send a reset that
// can destroy our message in flight: so read and discard until the client closes too.
function refuse(socket: net.Socket, message: string, graceMs: number): void {
  socket.on('data', () => undefined);
  socket.resume();
  socket.end(message);
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), graceMs).unref();
}
