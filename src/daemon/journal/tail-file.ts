// A file that keeps the newest bytes of a stream addressed by absolute offset, as a Ring does in
// memory, so that they survive the daemon. It is two segments, FILE and FILE.1 (the older one),
// each laid out as:
//
//   8 bytes   the absolute offset of the segment's first data byte (unsigned, little-endian)
//   …         data
//
// Appends are gathered for the rest of the event-loop turn and written with one writev(2) on an
// O_APPEND fd (a PTY read is ~4 KiB and a busy turn holds dozens): a byte written is in the kernel's
// page cache and survives kill -9 of the daemon the moment the call returns. Once FILE holds
// `keepBytes` it becomes FILE.1 (the old FILE.1 is unlinked first, so the rename replaces nothing
// and ext4 forces no flush) and a new FILE starts at the head: the files hold between `keepBytes`
// and twice that, and a rotation costs two metadata operations instead of a copy of the data
// (measured: rewriting the newest half on each compaction was a third of the daemon's CPU under
// `seq`).
import * as fs from 'node:fs';

const HEADER_BYTES = 8;
// Gathered appends past this are written at once, so that a flood holds little in memory.
const FLUSH_BYTES = 256 * 1024;
const { O_WRONLY, O_APPEND, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;

export class TailFile {
  private fd: number;
  private start: number; // absolute offset of the first byte in FILE
  private size = 0; // data bytes in FILE, written or gathered
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushQueued = false;

  // Starts the file anew at absolute offset `start` (anything there before is replaced).
  constructor(
    private readonly file: string,
    private readonly keepBytes: number,
    start: number,
  ) {
    this.start = start;
    fs.rmSync(`${file}.1`, { force: true });
    this.fd = TailFile.create(file, start);
  }

  // One past the newest byte.
  get head(): number {
    return this.start + this.size;
  }

  // Gathers `data` for a write at the end of the turn (`now`: writes it, and anything gathered, at once).
  append(data: Buffer, now = false): void {
    if (this.fd < 0 || data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.size += data.length;
    if (now || this.pendingBytes >= FLUSH_BYTES) return this.flush();
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  // Writes what was gathered; rotates once FILE holds `keepBytes`.
  flush(): void {
    if (this.fd < 0 || this.pending.length === 0) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      fs.writevSync(this.fd, chunks);
      if (this.size >= this.keepBytes) this.rotate();
    } catch {
      this.close(); // a full disk: the file stops where it stands
    }
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  remove(): void {
    this.pending = [];
    this.close();
    TailFile.remove(this.file);
  }

  static remove(file: string): void {
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.1`, { force: true });
  }

  // Stops writing without writing what was gathered (its file is about to go).
  discard(): void {
    this.pending = [];
    this.close();
  }

  // Removes both segments in the background (a segment that is not there is no error).
  static removeLater(file: string): void {
    const ignore = (): void => undefined;
    fs.unlink(file, ignore);
    fs.unlink(`${file}.1`, ignore);
  }

  // What the segments hold, oldest first: their head and their data; null when neither is there
  // and well-formed. An older segment that does not end where the newer begins (a rotation cut
  // short) is left out.
  static read(file: string): { head: number; data: Buffer } | null {
    const newer = readSegment(file);
    const older = readSegment(`${file}.1`);
    if (newer === null) return older === null ? null : { head: older.start + older.data.length, data: older.data };
    const head = newer.start + newer.data.length;
    if (older === null || older.start + older.data.length !== newer.start) return { head, data: newer.data };
    return { head, data: Buffer.concat([older.data, newer.data]) };
  }

  private rotate(): void {
    const older = `${this.file}.1`;
    fs.rmSync(older, { force: true });
    fs.renameSync(this.file, older);
    fs.closeSync(this.fd);
    this.fd = -1;
    this.start += this.size;
    this.size = 0;
    this.fd = TailFile.create(this.file, this.start);
  }

  // Creates `file` (0600, never through a link) starting at absolute offset `start`.
  private static create(file: string, start: number): number {
    const fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeBigUInt64LE(BigInt(start), 0);
    fs.writeSync(fd, header);
    return fd;
  }
}

function readSegment(file: string): { start: number; data: Buffer } | null {
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
  return { start: Number(bytes.readBigUInt64LE(0)), data: bytes.subarray(HEADER_BYTES) };
}
