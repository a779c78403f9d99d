// Knocks on the daemon's door and reports exactly what answered: nothing, something that closes
// at once (a tunnel with no far end), another program, a refusal, or a pty-relay daemon (its
// HELLO, then its answer to an `info` request).
import { Decoder } from '../../protocol/decoder';
import { encode, FrameType, PROTOCOL_VERSION, type DaemonInfo, type Frame, type Hello } from '../../protocol/frame';
import { VERSION } from '../../version';
import { connect, type Endpoint } from '../endpoint';
import { checkServer } from '../server-check';

export type Probe =
  | { kind: 'unreachable'; code: string; message: string } // the connect failed (errno code)
  | { kind: 'silent-close' } // accepted, then closed without a byte
  | { kind: 'no-answer' } // accepted, and silent until the deadline
  | { kind: 'foreign'; said: Buffer } // answered, but not as pty-relay
  | { kind: 'refused'; line: string } // pty-relay's refusal line (another user, rate limit)
  | { kind: 'error'; code: string; message: string } // an ERROR frame (secret, protocol version)
  | { kind: 'not-ours'; message: string } // served by another user (server-check.ts): nothing was sent
  | { kind: 'daemon'; hello: Hello; info: DaemonInfo | null };

// The daemon answers a HELLO in milliseconds (a few more to read /proc/net/tcp); a tunnel adds a
// round trip. Anything silent this long is not a working daemon.
export const PROBE_TIMEOUT_MS = 5_000;

// Connects to `ep`, says HELLO (with the secret, if any), asks for `info`, and classifies the answer.
export function probe(ep: Endpoint, secret: string | null, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect(ep, false);
    const decoder = new Decoder();
    let first: Buffer = Buffer.alloc(0);
    let hello: Hello | null = null;
    let result: Probe | null = null;
    let connected = false;
    const settle = (p: Probe): void => {
      result ??= p;
      socket.destroy();
    };
    const timer = setTimeout(() => settle(hello !== null ? { kind: 'daemon', hello, info: null } : first.length > 0 ? { kind: 'foreign', said: first } : { kind: 'no-answer' }), timeoutMs);
    socket.pause(); // nothing is read before the server is proved ours
    socket.on('connect', () => {
      connected = true;
      checkServer(socket, ep).then(
        () => {
          if (socket.destroyed) return;
          sayHello();
          socket.resume();
        },
        (err: Error) => settle({ kind: 'not-ours', message: err.message }),
      );
    });
    const sayHello = (): void => {
      const body: Hello = { proto: PROTOCOL_VERSION, caps: [], agent: `pty-relay-doctor/${VERSION}` };
      socket.write(encode({ type: FrameType.HELLO, body: secret === null ? body : { ...body, auth: secret } }));
    };
    socket.on('data', (chunk: Buffer) => {
      if (hello === null && first.length < 256) first = Buffer.concat([first, chunk]);
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch {
        const text = first.toString('utf8');
        if (hello === null && text.startsWith('pty-relay: ')) return settle({ kind: 'refused', line: text.trim().replace(/^pty-relay: (error: )?/, '') });
        return settle(hello !== null ? { kind: 'daemon', hello, info: null } : { kind: 'foreign', said: first });
      }
      for (const f of frames) {
        if (f.type === FrameType.HELLO && hello === null) {
          hello = f.body;
          socket.write(encode({ type: FrameType.REQUEST, body: { op: 'info' } }));
        } else if (f.type === FrameType.REPLY && hello !== null) {
          return settle({ kind: 'daemon', hello, info: f.body.ok ? (f.body.info ?? null) : null });
        } else if (f.type === FrameType.ERROR) {
          return settle(hello !== null ? { kind: 'daemon', hello, info: null } : { kind: 'error', code: f.body.code, message: f.body.message });
        }
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // After the connect, a reset is the other end dropping us: classified at close.
      if (!connected) settle({ kind: 'unreachable', code: err.code ?? 'EUNKNOWN', message: err.message });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (result === null) {
        if (hello !== null) result = { kind: 'daemon', hello, info: null };
        else if (first.length > 0) result = { kind: 'foreign', said: first };
        else result = { kind: 'silent-close' };
      }
      resolve(result);
    });
  });
}
