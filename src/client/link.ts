// A framed connection to the daemon: connect, exchange HELLO, then hand frames to the caller.
import { RelayError } from '../errors';
import { Decoder, FrameError } from '../protocol/decoder';
import { encode, FrameType, PROTOCOL_VERSION, type Frame, type Reply, type Request } from '../protocol/frame';
import { VERSION } from '../version';
import { connect, describeEndpoint, type Endpoint } from './endpoint';
import { closedSilently, connectionError, isFinalRefusal, notRelay, refusalHint, TRY_DOCTOR } from './explain';
import { checkServer } from './server-check';

export interface LinkHandlers {
  onFrame(f: Frame): void;
  // The connection ended; `err` says why (already explained for the user) when it was not a
  // clean close, and `final` is true when trying again cannot help (the daemon refused us).
  onClose(err: Error | null, final: boolean): void;
}

export interface Link {
  send(f: Frame): void;
  close(): void;
  destroy(): void;
}

// A control request gets its reply within this long, or the other end is not a working daemon:
// the daemon answers ls/kill/new in milliseconds; its own handshake timeout is 30 s.
export const REQUEST_TIMEOUT_MS = 15_000;

// Opens a framed connection and, once the server proved to run as our user (server-check.ts),
// sends our HELLO (with the shared secret, when there is one). Frames, including the daemon's
// HELLO, go to onFrame. Nothing is read or written before that proof.
export function openLink(ep: Endpoint, secret: string | null, handlers: LinkHandlers): Link {
  const socket = connect(ep, false);
  socket.pause();
  const decoder = new Decoder();
  let error: Error | null = null;
  let final = false;
  let heard = false;
  let connected = false;
  let framed = false;
  let closed = false;
  let trusted = false;
  socket.on('connect', () => {
    connected = true;
    checkServer(socket, ep).then(
      () => {
        if (socket.destroyed) return;
        trusted = true;
        sayHello();
        socket.resume();
      },
      (err: Error) => {
        error = err;
        final = true;
        socket.destroy();
      },
    );
  });
  const sayHello = (): void => {
    const hello = { proto: PROTOCOL_VERSION, caps: ['resume', 'screen', 'gap', 'input-ack'], agent: `pty-client/${VERSION}` };
    socket.write(encode({ type: FrameType.HELLO, body: secret === null ? hello : { ...hello, auth: secret } }));
  };
  socket.on('data', (chunk: Buffer) => {
    heard = true;
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      // A refusal before any frame (wrong user, rate limit) comes as one text line.
      const text = chunk.toString('utf8');
      if (!framed && text.startsWith('pty-relay: ')) {
        const line = text.trim().replace(/^pty-relay: (error: )?/, '');
        const hint = refusalHint(line, secret !== null);
        error = new RelayError('PR_ERR_CONNECT', hint === null ? line : `${line}: ${hint}`);
        final = isFinalRefusal(line);
      } else if (!framed) error = notRelay(ep, chunk);
      else error = err instanceof FrameError ? new RelayError('PR_ERR_PROTOCOL', `bad frame from the daemon: ${err.message}; use the same pty-relay version on both ends`) : (err as Error);
      socket.destroy();
      return;
    }
    if (frames.length > 0) framed = true;
    for (const f of frames) if (!closed) handlers.onFrame(f);
  });
  socket.on('error', (err) => {
    error ??= connectionError(ep, err, connected, heard);
  });
  socket.on('close', () => {
    closed = true;
    if (error === null && !heard) error = closedSilently(ep);
    handlers.onClose(error, final);
  });
  return {
    send: (f) => {
      if (trusted && !socket.destroyed) socket.write(encode(f));
    },
    close: () => socket.end(),
    destroy: () => socket.destroy(),
  };
}

// Sends one control request and resolves to the daemon's reply.
export function request(ep: Endpoint, secret: string | null, req: Request, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let reply: Reply | null = null;
    let timedOut = false;
    const link = openLink(ep, secret, {
      onFrame(f) {
        if (f.type === FrameType.HELLO) link.send({ type: FrameType.REQUEST, body: req });
        else if (f.type === FrameType.REPLY) reply = f.body;
        else if (f.type === FrameType.ERROR) reply = { ok: false, code: f.body.code, message: f.body.message };
      },
      onClose(err) {
        clearTimeout(timer);
        if (reply !== null) resolve(reply);
        else if (timedOut) {
          reject(new RelayError('PR_ERR_TIMEOUT', `${describeEndpoint(ep)} accepted the connection but gave no pty-relay answer within ${timeoutMs / 1000} s: is another program listening there? ${TRY_DOCTOR}`));
        } else reject(err ?? closedSilently(ep));
      },
    });
    const timer = setTimeout(() => {
      timedOut = true;
      link.destroy();
    }, timeoutMs);
  });
}
