// A file that keeps the newest bytes of a stream addressed by absolute offset, as a Ring does in
// memory, so that they survive the daemon. Layout:
//
//   8 bytes   the absolute offset of the first data byte (unsigned, little-endian)
//   …         data
//
// Appends are plain write(2) calls on an O_APPEND fd: a byte written is in the kernel's page cache,
// and survives kill -9 of the daemon the moment the call returns. When the file holds more than
// twice `keepBytes`, it is rewritten with its newest `keepBytes` (a new file renamed over it), so
// the work stays proportional to what is appended.
import * as fs from 'node:fs';

const HEADER_BYTES = 8;
const { O_WRONLY, O_APPEND, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;

export class TailFile {
  private fd: number;
  private start: number; // absolute offset of the first byte in the file
  private size = 0; // data bytes in the file

  // Starts the file anew at absolute offset `start` (anything there before is replaced).
  constructor(
    private readonly file: string,
    private readonly keepBytes: number,
    start: number,
  ) {
    this.start = start;
    this.fd = TailFile.create(file, start, Buffer.alloc(0));
  }

  // One past the newest byte.
  get head(): number {
    return this.start + this.size;
  }

  append(data: Buffer): void {
    if (this.fd < 0 || data.length === 0) return;
    try {
      fs.writeSync(this.fd, data);
      this.size += data.length;
      if (this.size > 2 * this.keepBytes) this.compact();
    } catch {
      this.close(); // a full disk: the file stops where it stands, and says so by its head
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  remove(): void {
    this.close();
    fs.rmSync(this.file, { force: true });
  }

  // What a file holds: its head and its data; null when it is missing or malformed.
  static read(file: string): { head: number; data: Buffer } | null {
    let bytes: Buffer;
    try {
      const fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
      try {
        bytes = fs.readFileSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return null;
    }
    if (bytes.length < HEADER_BYTES) return null;
    const start = Number(bytes.readBigUInt64LE(0));
    const data = bytes.subarray(HEADER_BYTES);
    return { head: start + data.length, data };
  }

  private compact(): void {
    const keep = TailFile.read(this.file);
    if (keep === null) return this.close();
    const data = keep.data.subarray(keep.data.length - this.keepBytes);
    const tmp = `${this.file}.tmp`;
    fs.rmSync(tmp, { force: true });
    const fd = TailFile.create(tmp, keep.head - data.length, data);
    fs.renameSync(tmp, this.file);
    fs.closeSync(this.fd);
    this.fd = fd;
    this.start = keep.head - data.length;
    this.size = data.length;
  }

  // Creates `file` (0600, never through a link) holding `data` from absolute offset `start`.
  private static create(file: string, start: number, data: Buffer): number {
    const fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeBigUInt64LE(BigInt(start), 0);
    fs.writeSync(fd, header);
    if (data.length > 0) fs.writeSync(fd, data);
    return fd;
  }
}
