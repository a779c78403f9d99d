// How a framed connection reaches its client. The attach logic (attach.ts) speaks
// frames through this, whether they travel as a byte stream on a socket (pty-client, the test
// clients) or one per WebSocket message (the web page), so there is one attach implementation.
import type { FrameError } from '../../protocol/decoder';
import type { Frame } from '../../protocol/frame';

export interface TransportHandlers {
  // Decoded frames, in order.
  frames(frames: Frame[]): void;
  // The client sent something that is not a frame; the caller answers and closes.
  bad(err: FrameError): void;
  // The client showed it is alive without sending a frame (a WebSocket pong).
  heard(): void;
  // The client caught up with what was sent; more may be sent now.
  drained(): void;
  // The connection is gone, or the client ended its side. Called once.
  closed(): void;
}

export interface FrameTransport {
  // Starts delivering to `h`; frames that arrived with the connection's first bytes come first.
  start(h: TransportHandlers): void;
  // Sends one frame given as consecutive parts (a header, then the payload).
  send(parts: Uint8Array[]): void;
  // Groups the sends of one turn (one writev on a socket).
  batch(fn: () => void): void;
  // True while the client reads more slowly than we send; drained() follows.
  readonly congested: boolean;
  // Ends the connection after what was sent.
  close(): void;
}

// FrameTransport.batch for a transport over `socket`: its writes in `fn` leave in one writev.
export function corked(socket: { cork(): void; uncork(): void }, fn: () => void): void {
  socket.cork();
  try {
    fn();
  } finally {
    socket.uncork();
  }
}

// What a connection may do, decided before its first frame (the web page's cookie scope).
export interface FrameAccess {
  // Authenticated already (the web cookie): HELLO needs no shared secret.
  preAuthenticated: boolean;
  // Every attach must be read-only, and kill and new are refused.
  readOnly: boolean;
  // The only session this connection may see, or null for all.
  session: string | null;
  // Unacknowledged output allowed in flight to this client.
  windowBytes: number;
}
