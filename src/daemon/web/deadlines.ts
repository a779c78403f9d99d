// Deadlines for connections handed to the in-process HTTP server. That server never calls
// listen(), so Node enforces neither headersTimeout nor requestTimeout on it (their timer starts
// on 'listening'; a half-sent header stayed open for ever, DESIGN.md §8): each socket gets its own.
//
//   connected, or idle after a response: the next request's headers within headersMs
//   a request in progress: its body and our response within requestMs
//   upgraded to a WebSocket: no HTTP deadline (the attach heartbeat takes over)
import type * as http from 'node:http';
import type * as net from 'node:net';

export interface HttpDeadlineConfig {
  headersMs: number;
  requestMs: number;
}

export class HttpDeadlines {
  private readonly timers = new WeakMap<net.Socket, NodeJS.Timeout>();

  // `expired` is told which deadline passed; the socket is destroyed right after.
  constructor(
    server: http.Server,
    private readonly config: HttpDeadlineConfig,
    private readonly expired: (socket: net.Socket, phase: 'headers' | 'request') => void,
  ) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket;
      this.arm(socket, 'request', config.requestMs);
      const done = (): void => {
        if (!socket.destroyed) this.arm(socket, 'headers', config.headersMs);
      };
      res.once('finish', done);
    });
    server.on('upgrade', (req: http.IncomingMessage) => this.clear(req.socket));
  }

  // Starts the clock for a socket that was just handed over.
  track(socket: net.Socket): void {
    this.arm(socket, 'headers', this.config.headersMs);
    socket.once('close', () => this.clear(socket));
  }

  private arm(socket: net.Socket, phase: 'headers' | 'request', ms: number): void {
    this.clear(socket);
    const t = setTimeout(() => {
      this.expired(socket, phase);
      socket.destroy();
    }, ms);
    t.unref();
    this.timers.set(socket, t);
  }

  private clear(socket: net.Socket): void {
    const t = this.timers.get(socket);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(socket);
  }
}
