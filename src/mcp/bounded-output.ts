// A reply collector that never holds more than a set number of bytes: past it, the head and the
// tail are kept and the middle is counted. The daemon bounds replies itself (`#!limit`); this is
// the MCP server's own safety net, so a daemon that does not (an older one) cannot flood the
// model's context or this process's memory.

export class BoundedOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  // `maxBytes` is split evenly between the head and the tail.
  constructor(private readonly maxBytes: number) {}

  // Takes reply bytes; always ready for more (the stream contract of OutputSink).
  write(data: Buffer): boolean {
    this.total += data.length;
    const headRoom = Math.ceil(this.maxBytes / 2) - this.headBytes;
    if (headRoom > 0) {
      const part = data.subarray(0, headRoom);
      this.head.push(Buffer.from(part));
      this.headBytes += part.length;
      data = data.subarray(part.length);
    }
    if (data.length === 0) return true;
    this.tail.push(Buffer.from(data));
    this.tailBytes += data.length;
    const keep = Math.floor(this.maxBytes / 2);
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0] as Buffer).length >= keep) {
      this.tailBytes -= (this.tail.shift() as Buffer).length;
    }
    return true;
  }

  once(_event: 'drain', _listener: () => void): this {
    return this; // write() never asks to wait
  }

  // Bytes received in all.
  get receivedBytes(): number {
    return this.total;
  }

  // Bytes left out of text().
  get omittedBytes(): number {
    return Math.max(0, this.total - this.maxBytes);
  }

  // The text: everything, or head + a note + tail cut at whole UTF-8 characters. `marker` words
  // the note from the reply offsets left out, [from, to).
  text(marker: (from: number, to: number) => string = (from, to) => `[pty-relay mcp: ${to - from} bytes of output left out here]`): string {
    const head = Buffer.concat(this.head);
    const tailAll = Buffer.concat(this.tail);
    if (this.omittedBytes === 0) return Buffer.concat([head, tailAll]).toString('utf8');
    let tail = tailAll.subarray(tailAll.length - Math.floor(this.maxBytes / 2));
    let start = 0;
    while (start < tail.length && start < 4 && ((tail[start] as number) & 0xc0) === 0x80) start++;
    tail = tail.subarray(start);
    const headText = wholeChars(head);
    const from = Buffer.byteLength(headText);
    return `${headText}\n${marker(from, this.total - tail.length)}\n${tail.toString('utf8')}`;
  }
}

// The buffer's text without a UTF-8 sequence cut off at its end.
function wholeChars(buf: Buffer): string {
  let end = buf.length;
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) end = buf.length - back;
    break;
  }
  return buf.toString('utf8', 0, end);
}
