// A scripted framed client: sends frames by hand and waits for the daemon's.
import * as net from 'node:net';
import { Decoder } from '../../src/protocol/decoder';
import { encode, FrameType, type Frame } from '../../src/protocol/frame';
import { waitFor } from './deadline';

export class FrameClient {
  readonly socket: net.Socket;
  readonly frames: Frame[] = [];
  private readonly decoder = new Decoder();
  readonly closed: Promise<void>;
  decodeError: Error | null = null;

  // With `keepAlive` the client pings every 100 ms, as pty-client does (tests use short heartbeats).
  // `port`: a TCP port on 127.0.0.1, or the path of a unix socket.
  constructor(port: number | string, keepAlive = true) {
    this.socket = typeof port === 'string' ? net.connect({ path: port }) : net.connect({ host: '127.0.0.1', port });
    if (keepAlive) {
      let id = 0;
      const timer = setInterval(() => {
        if (!this.socket.destroyed && this.socket.readyState === 'open') this.send({ type: FrameType.PING, body: { id: ++id } });
      }, 100);
      this.socket.once('close', () => clearInterval(timer));
    }
    this.socket.on('data', (d: Buffer) => {
      try {
        const frames = this.decoder.push(d);
        this.frames.push(...frames);
        // Acknowledge output as pty-client does, so the daemon's send window keeps moving.
        const last = frames.filter((f) => f.type === FrameType.OUTPUT).pop();
        if (keepAlive && last?.type === FrameType.OUTPUT) this.send({ type: FrameType.ACK, body: { offset: last.offset + last.data.length } });
      } catch (e) {
        this.decodeError = e as Error;
      }
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  send(f: Frame): void {
    this.socket.write(encode(f));
  }

  raw(b: Buffer): void {
    this.socket.write(b);
  }

  hello(proto = 1): void {
    this.send({ type: FrameType.HELLO, body: { proto, caps: [], agent: 'test' } });
  }

  attach(session: string, resume: number | null, opts: { clientId?: string; readOnly?: boolean; create?: boolean; inputFrom?: number } = {}): void {
    this.send({
      type: FrameType.ATTACH,
      body: { session, create: opts.create ?? true, resume, cols: 80, rows: 24, readOnly: opts.readOnly ?? false, clientId: opts.clientId ?? 'test-client', inputFrom: opts.inputFrom ?? 0 },
    });
  }

  waitFrame<T extends Frame['type']>(type: T, pred: (f: Extract<Frame, { type: T }>) => boolean = () => true, ms = 15_000): Promise<Extract<Frame, { type: T }>> {
    return waitFor(`frame type ${type}`, () => this.frames.find((f): f is Extract<Frame, { type: T }> => f.type === type && pred(f as Extract<Frame, { type: T }>)), ms);
  }

  // All OUTPUT bytes received so far; checks that they are contiguous from `start`.
  output(start: number): string {
    let at = start;
    const parts: Uint8Array[] = [];
    for (const f of this.frames) {
      if (f.type !== FrameType.OUTPUT) continue;
      if (f.offset !== at) throw new Error(`output not contiguous: expected offset ${at}, got ${f.offset}`);
      parts.push(f.data);
      at += f.data.length;
    }
    return Buffer.concat(parts).toString('latin1');
  }

  // One past the last OUTPUT byte received, or `start` when none came.
  end(start: number): number {
    return start + Buffer.byteLength(this.output(start), 'latin1');
  }

  waitOutput(start: number, re: RegExp, ms = 15_000): Promise<string> {
    return waitFor(`output matching ${re}`, () => {
      const o = this.output(start);
      return re.test(o) ? o : undefined;
    }, ms);
  }
}
