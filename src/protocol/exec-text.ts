// The text side of the wire: exec requests are shell text, optionally led by directive lines, and
// the reply is the command's output followed, on request, by a machine-readable trailer.
//
//   request  := directive* script
//   directive:= "#!" NAME [" " ARGS] "\n"        NAME is [a-z][a-z-]*; a shebang "#!/…" never matches
//   trailer  := NUL TOKEN ";" STATUS ";" REASON { ";" KEY "=" VALUE } "\n"
//                                               only when the request carried "#!trailer TOKEN"
//   STATUS   := decimal exit status (124 for "running" and "input", 255 for relay errors)
//   REASON   := exit | timeout | busy | shell-exit | error | running | input
//   KEY      := [a-z][a-z0-9-]*                  job, session, cwd, prompt, echo (on|off), bytes, …
//                                               busy: job, session, state (running|input), since
//                                               (ISO time), command, prompt
//   VALUE    := encodeURIComponent(text)        so it holds no ";", "=", "\n" or NUL
//   note     := NUL TOKEN "!" LENGTH "\n" BYTES   only when the request also carried "#!notes": the
//                                               relay's own words (its "pty-relay: …" lines, the
//                                               waiting line, output printed while no command ran),
//                                               LENGTH (decimal) bytes, kept apart from the output.
//                                               Each such reply starts with an empty note ("…!0\n"),
//                                               which tells the client that the daemon knows #!notes
//                                               (an older one refuses the directive as unknown).
//
// Readers keep keys they do not know and tolerate a trailer with no keys at all (older daemons).
// A reply without a trailer ends with "pty-relay: …" notice lines when something went wrong, and
// with "pty-relay: exit status N" when the command failed; success prints nothing extra.

export const DIRECTIVE_RE = /^#!([a-z][a-z-]*)(?:[ \t]+(.*?))?[ \t]*\r?$/;
export const TRAILER_TOKEN_RE = /^[A-Za-z0-9_-]{8,64}$/;

// Why a request ended, as carried in the trailer: the command exited; the timeout expired (older
// daemons, or a queued request); the session was busy (#!nowait); the shell itself exited; the
// relay refused the request; the timeout expired and the command runs on as a job; the job waits
// for input on its terminal.
export type EndReason = 'exit' | 'timeout' | 'busy' | 'shell-exit' | 'error' | 'running' | 'input';

// The keys a daemon writes after the reason: the job's number, its session, the shell's cwd, the
// prompt line a job waits at, whether the terminal echoes input (on|off), whether the screen is the
// alternate one (on|off), the size of the job's output so far (bytes), and for a busy session
// what its job is doing (state running|input, since, command); a program session's replies name
// its program (program) and, for `#!screen`, whether it waits (state running|input).
export type TrailerKey = 'job' | 'session' | 'cwd' | 'prompt' | 'echo' | 'alt' | 'bytes' | 'state' | 'since' | 'command' | 'program';

// The key=value facts a parsed trailer carried (all optional; unknown keys are kept too).
export type TrailerFields = Record<string, string>;

// A parsed trailer. `reason` is kept as sent, so a reader can tell an unknown one apart.
export interface Trailer {
  status: number;
  reason: string;
  fields: TrailerFields;
}

const TRAILER_KEY_RE = /^[a-z][a-z0-9-]*$/;
const TRAILER_RE = /^(\d+);([a-z-]+)((?:;[^;\n]*)*)\n/;

// Exit status the scripted client uses for each relay-side failure (ssh uses 255 the same way).
export const STATUS_TIMEOUT = 124;
export const STATUS_RELAY_ERROR = 255;

// Encodes the trailer that ends a reply for a client that asked for one; fields go in the order
// given, and undefined values are left out.
export function encodeTrailer(token: string, status: number, reason: EndReason, fields: Partial<Record<TrailerKey, string | number>> = {}): Buffer {
  let text = `\0${token};${status};${reason}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) text += `;${key}=${encodeURIComponent(String(value))}`;
  }
  return Buffer.from(`${text}\n`, 'latin1');
}

// Parses the text after "NUL TOKEN;" up to and including its newline; null while incomplete or
// malformed. Fields without "=" or with a bad key are skipped; a bad %-escape keeps the raw value.
export function parseTrailer(text: string): Trailer | null {
  const m = TRAILER_RE.exec(text);
  if (m === null) return null;
  const fields: TrailerFields = {};
  for (const part of (m[3] as string).split(';').slice(1)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    if (eq === -1 || !TRAILER_KEY_RE.test(key)) continue;
    fields[key] = decodeValue(part.slice(eq + 1));
  }
  return { status: Number(m[1]), reason: m[2] as string, fields };
}

function decodeValue(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

// Writes TEXT as the argument of `#!send`: C-style escapes for backslash, newline, CR, tab, ESC and
// other control bytes, for U+2028/U+2029 (line breaks to a regex), and for spaces at either end (a
// directive line's edges are trimmed). Other text stays as it is.
export function encodeSendText(text: string): string {
  const named: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    const bytes = code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029;
    out += named[ch] ?? (bytes ? hexBytes(ch) : ch);
  }
  return out.replace(/^ +| +$/g, (spaces) => '\\x20'.repeat(spaces.length));
}

function hexBytes(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

// Encodes a note (the relay's own words) for a client that asked for them apart (`#!notes`).
export function encodeNote(token: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`\0${token}!${data.length}\n`, 'latin1'), data]);
}

// A note's length field: at most this many digits (a note is a line or a few KiB).
const NOTE_LENGTH_DIGITS = 9;

// Splits the reply stream of a trailer-requesting client into output, notes (given `onNote`) and
// the trailer.
export class TrailerScanner {
  private readonly marker: Buffer; // NUL TOKEN: a trailer (";") or a note ("!") follows
  private held: Buffer = Buffer.alloc(0);
  private trailerText: string | null = null;
  notes = 0; // notes seen (the first one, empty, says the daemon knows #!notes)

  constructor(
    token: string,
    private readonly onNote: ((data: Buffer) => void) | null = null,
  ) {
    this.marker = Buffer.from(`\0${token}`, 'latin1');
  }

  // Feeds reply bytes; returns the output bytes that are safe to pass on now.
  push(chunk: Buffer): Buffer {
    if (this.trailerText !== null) {
      this.trailerText += chunk.toString('latin1');
      return Buffer.alloc(0);
    }
    let buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    const out: Buffer[] = [];
    for (;;) {
      const at = buf.indexOf(this.marker);
      if (at === -1) break;
      out.push(buf.subarray(0, at));
      const rest = buf.subarray(at + this.marker.length);
      const kind = rest[0];
      if (kind === 0x3b) {
        this.trailerText = rest.toString('latin1', 1);
        return Buffer.concat(out);
      }
      const note = kind === 0x21 && this.onNote !== null ? this.note(rest) : null;
      if (kind === undefined || note === 'partial') {
        this.held = Buffer.from(buf.subarray(at)); // the rest of the frame is still to come
        return Buffer.concat(out);
      }
      if (note === null) {
        out.push(buf.subarray(at, at + this.marker.length)); // not a frame of ours: output
        buf = rest;
      } else buf = rest.subarray(note);
    }
    // Keep back a tail that could be the start of the marker.
    const keep = Math.min(buf.length, this.marker.length - 1);
    let cut = buf.length - keep;
    const nul = buf.indexOf(0, cut);
    cut = nul === -1 ? buf.length : nul;
    this.held = Buffer.from(buf.subarray(cut));
    out.push(buf.subarray(0, cut));
    return Buffer.concat(out);
  }

  // A note at `rest` ("!" LENGTH "\n" BYTES): hands its bytes on and returns its length in
  // `rest`; 'partial' while incomplete; null when it is not one.
  private note(rest: Buffer): number | 'partial' | null {
    const nl = rest.indexOf(0x0a);
    const digits = rest.toString('latin1', 1, nl === -1 ? rest.length : nl);
    if (!/^\d*$/.test(digits) || digits.length > NOTE_LENGTH_DIGITS || (nl !== -1 && digits === '')) return null;
    if (nl === -1) return 'partial';
    const end = nl + 1 + Number(digits);
    if (rest.length < end) return 'partial';
    this.notes++;
    (this.onNote as (data: Buffer) => void)(rest.subarray(nl + 1, end));
    return end;
  }

  // The parsed trailer once complete, else null.
  result(): Trailer | null {
    return this.trailerText === null ? null : parseTrailer(this.trailerText);
  }

  // Output bytes still held when the stream ended without a trailer.
  rest(): Buffer {
    const out = this.held;
    this.held = Buffer.alloc(0);
    return out;
  }
}
