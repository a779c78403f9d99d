// The text side of the wire: exec requests are shell text, optionally led by directive lines, and
// the reply is the command's output followed, on request, by a machine-readable trailer.
//
//   request  := directive* script
//   directive:= "#!" NAME [" " ARGS] "\n"        NAME is [a-z][a-z-]*; a shebang "#!/…" never matches
//   trailer  := NUL TOKEN ";" STATUS ";" REASON *( ";" KEY "=" VALUE ) "\n"
//               only when the request carried "#!trailer TOKEN"; VALUEs are percent-encoded; KEYs
//               include job (number), session, cwd, prompt (a waiting job's prompt), echo (on|off)
//
// A reply without a trailer ends with "pty-relay: …" notice lines when something went wrong, and
// with "pty-relay: exit status N" when the command failed; success prints nothing extra.

export const DIRECTIVE_RE = /^#!([a-z][a-z-]*)(?:[ \t]+(.*?))?[ \t]*\r?$/;
export const TRAILER_TOKEN_RE = /^[A-Za-z0-9_-]{8,64}$/;

// Why a request ended, as carried in the trailer.
//   exit: the command ended (STATUS is its exit status)    running: the timeout expired, the job runs on
//   input: the job waits for terminal input                 timeout: a queued request never started
//   busy, shell-exit, error: as the notice line says
export type EndReason = 'exit' | 'timeout' | 'busy' | 'shell-exit' | 'error' | 'running' | 'input';

export type TrailerFields = Record<string, string>;

// Exit status the scripted client uses for each relay-side failure (ssh uses 255 the same way).
export const STATUS_TIMEOUT = 124;
export const STATUS_RELAY_ERROR = 255;

// Encodes the trailer that ends a reply for a client that asked for one.
export function encodeTrailer(token: string, status: number, reason: EndReason, fields: TrailerFields = {}): Buffer {
  const extra = Object.entries(fields)
    .map(([k, v]) => `;${k}=${encodeURIComponent(v)}`)
    .join('');
  return Buffer.from(`\0${token};${status};${reason}${extra}\n`, 'latin1');
}

// Splits the reply stream of a trailer-requesting client into output and the trailer.
export class TrailerScanner {
  private readonly marker: Buffer;
  private held: Buffer = Buffer.alloc(0);
  private trailerText: string | null = null;

  constructor(token: string) {
    this.marker = Buffer.from(`\0${token};`, 'latin1');
  }

  // Feeds reply bytes; returns the output bytes that are safe to pass on now.
  push(chunk: Buffer): Buffer {
    if (this.trailerText !== null) {
      this.trailerText += chunk.toString('latin1');
      return Buffer.alloc(0);
    }
    const buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const at = buf.indexOf(this.marker);
    if (at !== -1) {
      this.held = Buffer.alloc(0);
      this.trailerText = buf.toString('latin1', at + this.marker.length);
      return buf.subarray(0, at);
    }
    // Keep back a tail that could be the start of the marker.
    const keep = Math.min(buf.length, this.marker.length - 1);
    let cut = buf.length - keep;
    const nul = buf.indexOf(0, cut);
    cut = nul === -1 ? buf.length : nul;
    this.held = Buffer.from(buf.subarray(cut));
    return buf.subarray(0, cut);
  }

  // The parsed trailer once complete, else null; `rest` is output held back at end of stream.
  result(): { status: number; reason: string; fields: TrailerFields } | null {
    const m = this.trailerText === null ? null : /^(\d+);([a-z-]+)((?:;[a-z]+=[^;\n]*)*)\n/.exec(this.trailerText);
    if (m === null) return null;
    const fields: TrailerFields = {};
    for (const kv of (m[3] ?? '').split(';').slice(1)) {
      const eq = kv.indexOf('=');
      try {
        fields[kv.slice(0, eq)] = decodeURIComponent(kv.slice(eq + 1));
      } catch {
        fields[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    }
    return { status: Number(m[1]), reason: m[2] as string, fields };
  }

  // Output bytes still held when the stream ended without a trailer.
  rest(): Buffer {
    const out = this.held;
    this.held = Buffer.alloc(0);
    return out;
  }
}
