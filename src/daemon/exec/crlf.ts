// Streaming "\r\n" → "\n" conversion for exec results. The PTY's ONLCR turns every "\n" a program
// prints into "\r\n"; exec clients want what the program printed. A lone "\r" (progress bars) stays.
export class CrlfToLf {
  // `heldCr`: a "\r" an earlier converter was holding (a handed-over job, see upgrade/).
  constructor(private heldCr = false) {}

  // True while a trailing "\r" waits for the next byte.
  get holding(): boolean {
    return this.heldCr;
  }

  // Converts one chunk; a trailing "\r" is held until the next byte shows what it is.
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    let input = chunk;
    if (this.heldCr) {
      this.heldCr = false;
      input = Buffer.concat([Buffer.from('\r'), chunk]);
    }
    let end = input.length;
    if (input[end - 1] === 0x0d) {
      this.heldCr = true;
      end--;
    }
    if (input.indexOf(0x0d) === -1 || input.indexOf(0x0d) >= end) return input.subarray(0, end);
    // One pass, byte by byte: output is mostly short lines, where many small copies cost more.
    const out = Buffer.allocUnsafe(end);
    let w = 0;
    for (let r = 0; r < end; r++) {
      const b = input[r] as number;
      if (b !== 0x0d || input[r + 1] !== 0x0a) out[w++] = b;
    }
    return out.subarray(0, w);
  }

  // Returns a held "\r" at the end of the stream.
  flush(): Buffer {
    const rest = this.heldCr ? Buffer.from('\r') : Buffer.alloc(0);
    this.heldCr = false;
    return rest;
  }
}
