// Frames as a byte stream on a socket: the transport of pty-client and every raw framed client.
import type * as net from 'node:net';
import { Decoder, FrameError } from '../../protocol/decoder';
import type { Frame } from '../../protocol/frame';
import type { ConnInput } from '../conn/input';
import { corked, type FrameTransport, type TransportHandlers } from './transport';

// `first` is the chunk the connection was recognised by; `input` delivers the rest, metered.
export function socketTransport(socket: net.Socket, input: ConnInput, first: Buffer, maxFrameBytes: number): FrameTransport {
  const decoder = new Decoder(maxFrameBytes);
  return {
    start(h: TransportHandlers): void {
      let done = false;
      const closed = (): void => {
        if (done) return;
        done = true;
        h.closed();
      };
      const onData = (chunk: Buffer): void => {
        if (done) return;
        h.heard();
        let frames: Frame[];
        try {
          frames = decoder.push(chunk);
        } catch (err) {
          if (!(err instanceof FrameError)) throw err;
          return h.bad(err);
        }
        h.frames(frames);
      };
      input.on('data', onData);
      socket.on('drain', () => h.drained());
      socket.on('close', closed);
      input.on('end', closed);
      onData(first);
    },
    send(parts: Uint8Array[]): void {
      if (socket.destroyed) return;
      for (const p of parts) socket.write(p);
    },
    batch(fn: () => void): void {
      corked(socket, fn);
    },
    get congested(): boolean {
      return socket.writableNeedDrain;
    },
    close(): void {
      socket.end(() => socket.destroy());
    },
  };
}
