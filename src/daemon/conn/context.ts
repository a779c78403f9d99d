// conn/ owns what every kind of connection (attach/, exec/, web/) gets from the listening side
// (server/) and shares with the others: the context a handler is given with its socket (its logger,
// and where to register what to do at shutdown and at a handover), the HTTP hand-off the web side
// implements, the connection's metered input (input.ts) and the shared-secret check (secret.ts). It
// sits below both the server and the connection kinds, so that neither has to import the other's types.
import type * as net from 'node:net';
import type { Logger } from '../../log';

// The web terminal's HTTP side: takes a connection whose first bytes are an HTTP request.
export interface HttpHandOff {
  take(socket: net.Socket, first: Buffer, ctx: ConnContext): void;
}

// What a connection handler gets besides its socket.
export interface ConnContext {
  log: Logger;
  // Registers what to tell this client when the daemon shuts down.
  onShutdown(notify: (reason: string) => void): void;
  // Registers what to do when the daemon hands its sessions to a new process (upgrade/).
  onHandover(fn: () => void): void;
}
