// A framed connection to the daemon: connect, exchange HELLO, then hand frames to the caller.
import { RelayError } from '../errors';
import { Decoder, FrameError } from '../protocol/decoder';
import { encode, FrameType, PROTOCOL_VERSION, type Frame, type Reply, type Request } from '../protocol/frame';
import { VERSION } from '../version';
import { connect, describeEndpoint, type Endpoint } from './endpoint';

export interface LinkHandlers {
  onFrame(f: Frame): void;
  // The connection ended; `err` says why when it was not a clean close.
  onClose(err: Error | null): void;
}

export interface Link {
  send(f: Frame): void;
  close(): void;
  destroy(): void;
}

// Opens a framed connection and sends our HELLO (with the shared secret, when there is one).
// Frames, including the daemon's HELLO, go to onFrame.
export function openLink(ep: Endpoint, secret: string | null, handlers: LinkHandlers): Link {
  const socket = connect(ep, false);
  const decoder = new Decoder();
  let error: Error | null = null;
  let closed = false;
  socket.on('connect', () => {
    const hello = { proto: PROTOCOL_VERSION, caps: ['resume', 'screen', 'gap', 'input-ack'], agent: `pty-client/${VERSION}` };
    socket.write(encode({ type: FrameType.HELLO, body: secret === null ? hello : { ...hello, auth: secret } }));
  });
  socket.on('data', (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      // A refusal before any frame (wrong user, rate limit) comes as one text line.
      const text = chunk.toString('utf8');
      if (text.startsWith('pty-relay: ')) error = new RelayError('PR_ERR_CONNECT', text.trim().replace(/^pty-relay: (error: )?/, ''));
      else error = err instanceof FrameError ? new RelayError('PR_ERR_PROTOCOL', `bad frame from the daemon: ${err.message}`) : (err as Error);
      socket.destroy();
      return;
    }
    for (const f of frames) if (!closed) handlers.onFrame(f);
  });
  socket.on('error', (err) => {
    error = err;
  });
  socket.on('close', () => {
    closed = true;
    handlers.onClose(error);
  });
  return {
    send: (f) => {
      if (!socket.destroyed) socket.write(encode(f));
    },
    close: () => socket.end(),
    destroy: () => socket.destroy(),
  };
}

// Sends one control request and resolves to the daemon's reply.
export function request(ep: Endpoint, secret: string | null, req: Request): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let reply: Reply | null = null;
    const link = openLink(ep, secret, {
      onFrame(f) {
        if (f.type === FrameType.HELLO) link.send({ type: FrameType.REQUEST, body: req });
        else if (f.type === FrameType.REPLY) reply = f.body;
        else if (f.type === FrameType.ERROR) reply = { ok: false, code: f.body.code, message: f.body.message };
      },
      onClose(err) {
        if (reply !== null) resolve(reply);
        else reject(new RelayError('PR_ERR_CONNECT', `cannot reach pty-relay at ${describeEndpoint(ep)}: ${err?.message ?? 'connection closed'}`, { cause: err }));
      },
    });
  });
}
