// Frames over a WebSocket, one per binary message: the web page's transport for the attach logic.
//
// Input is metered by the connection's token bucket, like a socket's: a message that would put the
// bucket in debt waits (and the socket is paused) until the debt is paid, order kept. There is no
// 'drain' on a WebSocket: congestion is its buffered amount, or the raw socket needing a drain.
// The daemon pings: a hidden tab throttles its own timers, but the browser answers pings itself.
import type * as net from 'node:net';
import { decodeMessage, FrameError } from '../../protocol/decoder';
import { corked, type FrameTransport, type TransportHandlers } from '../attach/transport';
import { TokenBucket, type BucketConfig } from '../base/rate-limit';

// The parts of a `ws` WebSocket used here (web-server.ts is the one module that imports ws).
export interface WsPeer {
  readonly bufferedAmount: number;
  send(data: Uint8Array, opts: { binary: true }): void;
  ping(): void;
  close(code: number, reason: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'pong' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
}

export interface WsTransportConfig {
  maxFrameBytes: number;
  inputRate: BucketConfig;
  pingMs: number;
}

// Beyond this much queued output the client counts as congested.
const HIGH_WATER_BYTES = 256 * 1024;
// A client that does not answer our close within this long is cut off.
const CLOSE_GRACE_MS = 2_000;

// `socket` is the raw connection under `ws` (for its 'drain').
export function wsTransport(ws: WsPeer, socket: net.Socket, config: WsTransportConfig): FrameTransport {
  const bucket = new TokenBucket(config.inputRate, Date.now());
  const queue: Array<{ data: Buffer; binary: boolean }> = [];
  let waiting = false;
  let handlers: TransportHandlers | null = null;
  let closing = false;

  const deliver = (m: { data: Buffer; binary: boolean }): void => {
    const h = handlers;
    if (h === null) return;
    h.heard();
    if (!m.binary) return h.bad(new FrameError('PR_ERR_FRAME_BODY', 'text messages are not frames; send one frame per binary message'));
    try {
      h.frames([decodeMessage(m.data, config.maxFrameBytes)]);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      h.bad(err);
    }
  };
  const flush = (): void => {
    while (!waiting && queue.length > 0) {
      const m = queue[0] as { data: Buffer; binary: boolean };
      const wait = bucket.take(m.data.length, Date.now());
      if (wait > 0) {
        waiting = true;
        ws.pause();
        setTimeout(() => {
          waiting = false;
          queue.shift();
          ws.resume();
          deliver(m);
          flush();
        }, wait).unref();
        return;
      }
      queue.shift();
      deliver(m);
    }
  };

  return {
    start(h: TransportHandlers): void {
      handlers = h;
      const ping = setInterval(() => ws.ping(), config.pingMs);
      ping.unref();
      ws.on('message', (data, isBinary) => {
        queue.push({ data, binary: isBinary });
        flush();
      });
      ws.on('pong', () => h.heard());
      ws.on('error', () => undefined); // 'close' follows
      ws.on('close', () => {
        clearInterval(ping);
        handlers = null;
        h.closed();
      });
      socket.on('drain', () => h.drained());
    },
    send(parts: Uint8Array[]): void {
      if (closing) return;
      ws.send(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts), { binary: true });
    },
    batch(fn: () => void): void {
      corked(socket, fn);
    },
    get congested(): boolean {
      return ws.bufferedAmount >= HIGH_WATER_BYTES || socket.writableNeedDrain;
    },
    close(): void {
      if (closing) return;
      closing = true;
      ws.close(1000, '');
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
  };
}
