// base/ owns the small pieces below every other folder of the daemon: this ring, a token bucket
// (rate-limit.ts), the private runtime directory (runtime-dir.ts) and what a session's program is
// started with (terminal-program.ts). They import nothing else of the daemon.
//
// A session's recent output, addressed by absolute byte offset. Offsets count every byte the
// session ever produced; the ring keeps the last `capacity` of them. Memory grows with use, up to
// the capacity, so an idle session costs almost nothing.

const INITIAL_BYTES = 16 * 1024;

export type RingRead = { kind: 'data'; offset: number; data: Buffer } | { kind: 'gap'; from: number; to: number } | { kind: 'none' };

export class Ring {
  private buf: Buffer = Buffer.alloc(0);
  private total = 0; // absolute offset one past the newest byte
  private floor = 0; // no byte below this is held (a restored ring starts with what it was given)

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('ring capacity must be a positive integer');
  }

  // One past the newest byte.
  get head(): number {
    return this.total;
  }

  // The oldest byte still held.
  get tail(): number {
    return Math.max(this.floor, this.total - this.capacity);
  }

  // Bytes of memory the ring holds now.
  get allocated(): number {
    return this.buf.length;
  }

  // Its head and every byte still held, for a new daemon (upgrade/).
  export(): { head: number; data: Buffer } {
    const r = this.read(this.tail, this.total - this.tail);
    return { head: this.total, data: r.kind === 'data' ? r.data : Buffer.alloc(0) };
  }

  // A ring holding `data` as the bytes just before absolute offset `head` (what export() gave).
  static restore(capacity: number, head: number, data: Buffer): Ring {
    const ring = new Ring(capacity);
    const keep = data.subarray(Math.max(0, data.length - capacity));
    if (keep.length > 0) {
      let size = INITIAL_BYTES;
      while (size < keep.length && size < capacity) size *= 2;
      ring.buf = Buffer.alloc(Math.min(size, capacity));
      const from = head - keep.length;
      for (let i = 0; i < keep.length; ) {
        const at = (from + i) % ring.buf.length;
        const n = Math.min(keep.length - i, ring.buf.length - at);
        keep.copy(ring.buf, at, i, i + n);
        i += n;
      }
    }
    ring.total = head;
    ring.floor = head - keep.length;
    return ring;
  }

  append(data: Buffer): void {
    if (data.length === 0) return;
    this.grow(this.total + data.length);
    const cap = this.buf.length;
    if (data.length >= cap) {
      data.copy(this.buf, 0, data.length - cap);
      this.rotateTo((this.total + data.length) % cap);
      this.total += data.length;
      return;
    }
    const at = this.total % cap;
    const first = Math.min(data.length, cap - at);
    data.copy(this.buf, at, 0, first);
    if (first < data.length) data.copy(this.buf, 0, first);
    this.total += data.length;
  }

  // Reads up to `max` bytes starting at `from`: data, a gap when `from` has left the ring (the
  // caller continues from `to`), or none when `from` is at the head.
  read(from: number, max: number): RingRead {
    if (from < this.tail) return { kind: 'gap', from, to: this.tail };
    if (from >= this.total) return { kind: 'none' };
    const cap = this.buf.length;
    const len = Math.min(max, this.total - from);
    const at = from % cap;
    const first = Math.min(len, cap - at);
    const data = first === len ? Buffer.from(this.buf.subarray(at, at + len)) : Buffer.concat([this.buf.subarray(at, at + first), this.buf.subarray(0, len - first)]);
    return { kind: 'data', offset: from, data };
  }

  // Grows the buffer (doubling, up to capacity) so `needed` total bytes fit without loss.
  private grow(needed: number): void {
    if (this.buf.length >= this.capacity || needed <= this.buf.length) return;
    let size = Math.max(INITIAL_BYTES, this.buf.length);
    while (size < needed && size < this.capacity) size *= 2;
    size = Math.min(size, this.capacity);
    const next = Buffer.alloc(size);
    // Copy the held bytes so that byte at offset o lands at o % size.
    for (let o = this.tail; o < this.total; ) {
      const r = this.read(o, this.total - o);
      if (r.kind !== 'data') break;
      for (let i = 0; i < r.data.length; ) {
        const at = (o + i) % size;
        const n = Math.min(r.data.length - i, size - at);
        r.data.copy(next, at, i, i + n);
        i += n;
      }
      o += r.data.length;
    }
    this.buf = next;
  }

  // After a write larger than the buffer: the buffer holds the newest bytes starting at index 0;
  // rotate them so that the byte at offset o sits at o % length.
  private rotateTo(endIndex: number): void {
    const cap = this.buf.length;
    const startIndex = endIndex % cap; // after the write, the oldest byte belongs here
    if (startIndex === 0) return;
    this.buf = Buffer.concat([this.buf.subarray(cap - startIndex), this.buf.subarray(0, cap - startIndex)]);
  }
}
