// What kind of client is this? Decided from the first bytes of a connection.
//
//   0x00          a framed (attach) client: no shell text starts with NUL
//   "GET / HTTP/1.1"-style request line: a browser (served only with --web; refused otherwise)
//   anything else shell text for exec mode (HTTP is refused there, once its first line is in)
export type Sniffed = 'frames' | 'text';
export type Route = 'frames' | 'http' | 'text' | 'undecided';

export const FRAME_MAGIC = 0x00;
// A request line longer than this is not one a browser sends for our page.
export const MAX_REQUEST_LINE_BYTES = 8192;

// Classifies a connection by its first chunk (which is never empty).
export function sniff(first: Uint8Array): Sniffed {
  return first[0] === FRAME_MAGIC ? 'frames' : 'text';
}

const REQUEST_LINE = /^[A-Z]{3,10} \S+ HTTP\/\d/;
// What can still grow into a request line: a method, a target, part of "HTTP/1".
const REQUEST_LINE_PREFIX = /^(?:[A-Z]{1,10}|[A-Z]{3,10} \S*|[A-Z]{3,10} \S+ (?:H|HT|HTT|HTTP|HTTP\/))$/;

// Routes a connection when an HTTP server is there to take browsers: 'undecided' while the bytes
// so far could still be the start of an HTTP request line (the caller reads more, briefly).
export function route(buf: Uint8Array): Route {
  if (buf.length === 0) return 'undecided';
  if (buf[0] === FRAME_MAGIC) return 'frames';
  const n = Math.min(buf.length, MAX_REQUEST_LINE_BYTES);
  let head = '';
  for (let i = 0; i < n; i++) head += String.fromCharCode(buf[i] as number);
  if (REQUEST_LINE.test(head)) return 'http';
  const line = head.split('\n', 1)[0] as string;
  if (line.length < head.length || n < buf.length || n === MAX_REQUEST_LINE_BYTES) return 'text';
  return REQUEST_LINE_PREFIX.test(line.replace(/\r$/, '')) ? 'undecided' : 'text';
}
