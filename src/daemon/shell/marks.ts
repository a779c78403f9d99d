// Streaming parser for the shell-integration marks that our bash rc prints (see shell-integration.ts):
//
//   ESC ] 133 ; A ; prn=<nonce> BEL            prompt: the shell is idle
//   ESC ] 133 ; B ; prn=<nonce> BEL            the prompt is drawn (the end of PS1)
//   ESC ] 133 ; C ; prn=<nonce> BEL            command output starts (from PS0)
//   ESC ] 133 ; D ; <status> ; prn=<nonce> BEL command finished with <status>
//   ESC ] 133 ; F ; <digit> ; <time> ; prn=<nonce> BEL  an exec job asks for output processing
//   ESC ] 133 ; G ; <digit> ; <time> ; prn=<nonce> BEL  off, and after its D mark for it on again;
//                                                the shell waits for the digit back (newlines.ts)
//   ESC ] 133 ; T ; <more> ; <hex> ; prn=<nonce> BEL  a person pressed Return on a line: its first
//                                                line's first bytes (up to TYPED_BYTES) in hex, and
//                                                how many lines follow (shell-integration.ts)
//
// Only marks carrying this session's nonce count; anything else, including a forged or foreign
// mark, is passed through as ordinary output. Marks may be split across chunks at any byte.

export type MarkKind = 'A' | 'B' | 'C' | 'D' | 'F' | 'G' | 'T';

// How much of a typed line the T mark carries: its first line's first bytes. Hex, so that no byte
// of the line (ESC, BEL, `;`, a forged mark) can end the mark or reach a terminal from it.
export const TYPED_BYTES = 160;

export type MarkEvent =
  | { type: 'data'; data: Buffer }
  | { type: 'mark'; kind: MarkKind; status: number; seq?: string; time?: string; typed?: TypedLine };

// What a T mark says about a line typed in the terminal: raw text (decoded as UTF-8, any
// character still in it: display code sanitises it) and how many more lines it had.
export interface TypedLine {
  text: string;
  more: number;
}

const PREFIX = Buffer.from('\x1b]133;', 'latin1');
const BEL = 0x07;
// Longest mark we emit is "ESC]133;T;<more, up to 6>;<2 × TYPED_BYTES hex>;prn=<32 hex>BEL": under this bound.
const MAX_MARK_BYTES = 400;

// Parses a PTY byte stream into output data and marks.
export class MarkParser {
  private readonly suffix: string;
  private pending: Buffer = Buffer.alloc(0);

  // `held`: bytes an earlier parser was holding back (a handed-over session, see upgrade/).
  constructor(
    readonly nonce: string,
    held: Buffer = Buffer.alloc(0),
  ) {
    this.suffix = `prn=${nonce}`;
    this.pending = held;
  }

  // Bytes held back now: the start of a mark that may continue in the next chunk.
  get held(): Buffer {
    return this.pending;
  }

  // Feeds one chunk; returns events in stream order. Bytes that might begin a mark are held back.
  push(chunk: Buffer): MarkEvent[] {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    const events: MarkEvent[] = [];
    let start = 0; // first byte not yet emitted
    let scan = 0;
    while (scan < buf.length) {
      const esc = buf.indexOf(0x1b, scan);
      if (esc === -1) break;
      const avail = buf.length - esc;
      const prefixLen = Math.min(avail, PREFIX.length);
      if (buf.compare(PREFIX, 0, prefixLen, esc, esc + prefixLen) !== 0) {
        scan = esc + 1;
        continue;
      }
      if (avail < PREFIX.length) {
        // A possible mark prefix at the end of the chunk: hold it.
        emitData(events, buf, start, esc);
        this.pending = Buffer.from(buf.subarray(esc));
        return events;
      }
      const bel = buf.indexOf(BEL, esc + PREFIX.length);
      const limit = esc + MAX_MARK_BYTES;
      if (bel === -1 || bel > limit) {
        if (bel === -1 && buf.length < limit) {
          emitData(events, buf, start, esc);
          this.pending = Buffer.from(buf.subarray(esc));
          return events;
        }
        scan = esc + 1; // too long to be ours: ordinary output
        continue;
      }
      const mark = this.decode(buf.toString('latin1', esc + PREFIX.length, bel));
      if (mark === null) {
        scan = esc + 1;
        continue;
      }
      emitData(events, buf, start, esc);
      events.push(mark);
      start = bel + 1;
      scan = start;
    }
    emitData(events, buf, start, buf.length);
    return events;
  }

  // Returns whatever is held back (a partial mark), e.g. when the stream ends.
  flush(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }

  private decode(body: string): MarkEvent | null {
    const parts = body.split(';');
    if (parts[parts.length - 1] !== this.suffix) return null;
    const kind = parts[0];
    if ((kind === 'A' || kind === 'B' || kind === 'C') && parts.length === 2) {
      return { type: 'mark', kind, status: 0 };
    }
    if (kind === 'D' && parts.length === 3 && /^\d{1,3}$/.test(parts[1] ?? '')) {
      return { type: 'mark', kind, status: Number(parts[1]) };
    }
    if ((kind === 'F' || kind === 'G') && parts.length === 4 && /^[0-9]$/.test(parts[1] ?? '') && /^[0-9.,]{1,24}$/.test(parts[2] ?? '')) {
      return { type: 'mark', kind, status: 0, seq: parts[1], time: parts[2] };
    }
    if (kind === 'T' && parts.length === 4 && /^\d{1,6}$/.test(parts[1] ?? '') && HEX.test(parts[2] ?? '')) {
      return { type: 'mark', kind, status: 0, typed: { text: typedText(parts[2] ?? ''), more: Number(parts[1]) } };
    }
    return null;
  }
}

const HEX = new RegExp(`^(?:[0-9a-f]{2}){0,${TYPED_BYTES}}$`);

// The typed bytes as text; a character cut in two at TYPED_BYTES is dropped.
function typedText(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8').replace(/\uFFFD$/, '');
}

function emitData(events: MarkEvent[], buf: Buffer, from: number, to: number): void {
  if (to > from) events.push({ type: 'data', data: buf.subarray(from, to) });
}
