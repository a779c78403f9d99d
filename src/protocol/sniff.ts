// What kind of client is this? Decided from the first bytes of a connection, never from how many
// of them arrived.
//
//   0x00                    a framed (attach) client: no shell text starts with NUL
//   an HTTP request start   a browser or another HTTP client: served only with --web, refused otherwise
//   a TLS record header     an https:// client: refused
//   anything else           shell text for exec mode
//
// An HTTP request start is, in this order:
//   any number of CR and LF   (HTTP servers skip blank lines before a request line; llhttp does)
//   a method                  3 to 20 of A-Z and '-', starting with a letter (GET, POST, M-SEARCH …)
//   one space
//   the start of a target     '/' (origin form), '*' (`OPTIONS *`, the HTTP/2 preface `PRI * HTTP/2.0`),
//                             `scheme://` (absolute form, as sent to proxies; a scheme of 1-16 chars),
//                             or anything at all after `CONNECT ` (authority form, host:port)
// so the answer is known after START_BYTES bytes past the leading line ends, however long the target
// and the rest are. A browser cannot start a connection with anything but its request line, and
// without a preflight it sends only GET, HEAD and POST (a preflight is an OPTIONS request): the rule
// holds every request a page can make. Its price: shell text whose first word is all capitals and
// whose second starts with '/' or 'x://' (`GET http://…` of libwww-perl) counts as HTTP.
export type Sniffed = 'frames' | 'text';
export type Route = 'frames' | 'http' | 'text' | 'undecided';
// 'undecided': the bytes so far are a proper prefix of an HTTP request start (or only line ends).
export type Start = 'http' | 'tls' | 'other' | 'undecided';

export const FRAME_MAGIC = 0x00;
// A request line longer than this is answered 414 by the web terminal: our page's are short.
export const MAX_REQUEST_LINE_BYTES = 8192;

const MIN_METHOD = 3;
const MAX_METHOD = 20;
const MAX_SCHEME = 16;
// The most bytes past the leading line ends that classifyStart ever looks at.
export const START_BYTES = MAX_METHOD + 1 + MAX_SCHEME + 3;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TLS_HANDSHAKE = 0x16; // a TLS record of type handshake, then version major 3
const CONNECT = [0x43, 0x4f, 0x4e, 0x4e, 0x45, 0x43, 0x54];
const SCHEME_END = [0x3a, 0x2f, 0x2f]; // "://"

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isAlpha = (c: number): boolean => isUpper(c & 0xdf); // clearing bit 5 upper-cases a-z
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isMethodChar = (c: number): boolean => isUpper(c) || c === 0x2d;
const isSchemeChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e;

// Classifies a connection by its first chunk (which is never empty).
export function sniff(first: Uint8Array): Sniffed {
  return first[0] === FRAME_MAGIC ? 'frames' : 'text';
}

// Does this connection start like an HTTP request or a TLS handshake? A pure function of at most
// the leading line ends plus START_BYTES bytes; 'undecided' while more bytes could still tip it.
export function classifyStart(buf: Uint8Array): Start {
  let i = 0;
  while (i < buf.length && (buf[i] === CR || buf[i] === LF)) i++;
  if (i === buf.length) return 'undecided';
  if (buf[i] === TLS_HANDSHAKE) return i + 1 === buf.length ? 'undecided' : buf[i + 1] === 3 ? 'tls' : 'other';
  const method = i;
  if (!isUpper(buf[i] as number)) return 'other';
  while (i < buf.length && isMethodChar(buf[i] as number) && i - method < MAX_METHOD) i++;
  if (i === buf.length) return 'undecided';
  if (buf[i] !== SP || i - method < MIN_METHOD) return 'other';
  if (i - method === CONNECT.length && CONNECT.every((c, k) => buf[method + k] === c)) return 'http';
  i++;
  if (i === buf.length) return 'undecided';
  const first = buf[i] as number;
  if (first === 0x2f || first === 0x2a) return 'http'; // '/' or '*'
  if (!isAlpha(first)) return 'other';
  const scheme = i;
  while (i < buf.length && isSchemeChar(buf[i] as number) && i - scheme < MAX_SCHEME) i++;
  for (const c of SCHEME_END) {
    if (i === buf.length) return 'undecided';
    if (buf[i++] !== c) return 'other';
  }
  return 'http';
}

// Routes a connection when an HTTP server is there to take browsers: 'undecided' while the bytes
// so far could still become an HTTP request start (the caller reads more, briefly).
export function route(buf: Uint8Array): Route {
  if (buf.length === 0) return 'undecided';
  if (buf[0] === FRAME_MAGIC) return 'frames';
  const start = classifyStart(buf);
  if (start === 'http') return 'http';
  // Blank lines alone, and many: shell text (exec judges whatever follows them by the same rule).
  if (start === 'undecided') return buf.length >= MAX_REQUEST_LINE_BYTES ? 'text' : 'undecided';
  return 'text';
}

// True when every byte is a CR or LF: an empty request, which a shell runs as nothing.
export function onlyLineEnds(buf: Uint8Array): boolean {
  return buf.every((c) => c === CR || c === LF);
}
