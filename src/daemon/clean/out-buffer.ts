// A growable byte buffer for the cleaner's output. Many tiny appends (a line, then "\n") are
// the common case: Buffer.concat over thousands of small pieces costs ~1 µs each, this ~10 ns.

// Below this many bytes a JS loop beats a native copy call.
const LOOP_COPY_BYTES = 32;
const INITIAL_BYTES = 16 * 1024;

// Collects output bytes; take() hands them over.
export class OutBuffer {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private len = 0;

  // Appends `src[start, end)`.
  append(src: Buffer, start = 0, end = src.length): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(n);
    if (n < LOOP_COPY_BYTES) {
      const buf = this.buf;
      let w = this.len;
      for (let r = start; r < end; r++) buf[w++] = src[r] as number;
    } else {
      src.copy(this.buf, this.len, start, end);
    }
    this.len += n;
  }

  // Appends the lines of plain text (bytes >= 0x20 and tabs) that end in "\r\n" at `src[start, end)`,
  // each with "\n" instead, in one pass; returns where the first other line begins.
  appendPlainLines(src: Buffer, start: number, end: number): number {
    this.reserve(end - start);
    const buf = this.buf;
    let w = this.len;
    let from = start;
    for (let i = start; i < end; i++) {
      const c = src[i] as number;
      if (c >= 0x20 || c === 0x09) {
        buf[w++] = c;
      } else if (c === 0x0d && i + 1 < end && src[i + 1] === 0x0a) {
        buf[w++] = 0x0a;
        from = ++i + 1;
        this.len = w;
      } else break;
    }
    return from;
  }

  // The same for output that came with output processing off (clean.ts): lines end in "\n" or
  // the program's own "\r\n", both kept; the run is found first, then copied in one piece.
  appendUnprocessedLines(src: Buffer, start: number, end: number): number {
    let i = start;
    let done = start;
    while (i < end) {
      const c = src[i] as number;
      if (c >= 0x20 || c === 0x09) i++;
      else if (c === 0x0a) done = ++i;
      else if (c === 0x0d && i + 1 < end && src[i + 1] === 0x0a) done = i += 2;
      else break;
    }
    if (done > start) this.append(src, start, done);
    return done;
  }

  // Returns the bytes collected so far (a fresh buffer the caller owns) and empties this one.
  take(): Buffer {
    if (this.len === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    this.len = 0;
    if (this.buf.length > 4 * INITIAL_BYTES * 16) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
    return out;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
