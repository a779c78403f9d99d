// The request line of a connection handed to the web terminal, read before Node's HTTP parser sees
// it: a line longer than MAX_REQUEST_LINE_BYTES is answered 414 here (Node has no such limit; it
// would parse up to its 16 KiB header limit and answer 431 past it). Our page's requests are short:
// a long one is a drive-by page's attempt (issue 20), answered and closed, never parsed.
import type * as net from 'node:net';
import { MAX_REQUEST_LINE_BYTES } from '../../protocol/sniff';

// How long a refused client may keep sending (the rest of its request) before we reset it.
const LINGER_MS = 2_000;

// Calls `ready` with every byte read so far once the first request line is in and not too long
// (the caller puts them back for the parser); answers 414 and closes otherwise. The caller's
// deadlines bound the wait.
export function readRequestLine(socket: net.Socket, first: Buffer, tooLong: () => void, ready: (head: Buffer) => void): void {
  let buf = first;
  const verdict = (): 'ready' | 'too-long' | 'more' => {
    let start = 0;
    while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++; // blank lines first
    const lf = buf.indexOf(0x0a, start);
    const length = (lf === -1 ? buf.length : lf) - start;
    if (length > MAX_REQUEST_LINE_BYTES + 1) return 'too-long'; // + 1: the CR before the LF
    return lf === -1 ? 'more' : 'ready';
  };
  const decide = (): boolean => {
    const v = verdict();
    if (v === 'more') return false;
    socket.off('readable', onReadable);
    socket.off('end', onEnd);
    if (v === 'ready') ready(buf);
    else {
      tooLong();
      answerTooLong(socket);
    }
    return true;
  };
  const onReadable = (): void => {
    for (let c: Buffer | null; (c = socket.read() as Buffer | null) !== null; ) {
      buf = Buffer.concat([buf, c]);
      if (decide()) return;
    }
  };
  // The client ended before finishing its request line: nothing to answer.
  const onEnd = (): void => void socket.destroy();
  if (decide()) return;
  socket.on('readable', onReadable);
  socket.on('end', onEnd);
}

// The 414 answer, for a first request line (above) or a later one on a kept-alive connection.
export const TOO_LONG_BODY = `pty-relay: request line longer than ${MAX_REQUEST_LINE_BYTES} bytes\n`;

// Answers 414 on a raw socket and closes it; reads and discards what the client still sends, so that
// the close is a FIN and not a reset that could destroy the answer in flight.
function answerTooLong(socket: net.Socket): void {
  socket.on('data', () => undefined);
  socket.resume();
  socket.end(`HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${TOO_LONG_BODY.length}\r\nConnection: close\r\n\r\n${TOO_LONG_BODY}`);
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
