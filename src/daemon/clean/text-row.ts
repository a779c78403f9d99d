// One line of command output as the cursor edits it (see text-screen.ts).
//
// Appending, the common case, keeps the bytes as they came, in pieces. Editing the middle (a
// redraw after `\r`, cursor-left, erase) switches the row to one string per cell: a UTF-8
// character or a stray byte, each held as a latin1 string so that bytes come out exactly as they
// went in, valid UTF-8 or not. A cell is one character, not one terminal column: a wide (CJK)
// character or a tab counts as one, which only matters when a program redraws over them.

const SPACE = ' ';
const NO_BYTES = Buffer.alloc(0);

// Cells in `buf[start, end)`: every byte that is not a UTF-8 continuation byte (0b10xxxxxx)
// starts one.
export function cellCount(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (((buf[i] as number) & 0xc0) !== 0x80) n++;
  return n;
}

import type { OutBuffer } from './out-buffer';

// Splits bytes into cells; leading continuation bytes (the rest of a character split across
// chunks) form the first cell, which the caller may join to the cell before.
function splitCells(buf: Buffer): string[] {
  const cells: string[] = [];
  let start = 0;
  for (let i = 1; i <= buf.length; i++) {
    if (i === buf.length || ((buf[i] as number) & 0xc0) !== 0x80) {
      cells.push(buf.toString('latin1', start, i));
      start = i;
    }
  }
  return cells;
}

// A line of output: its cells, and how much of it was already sent.
export class TextRow {
  // The line ending it came with: "\n", or "\r\n" for a CRLF in the program's own output.
  term: Buffer | null = null;
  // A line that was already sent and that the cursor moved back up into: sent again only if
  // something is written to it.
  ghost = false;
  // Cells at the start of the line that were already sent (a very long line, or a flush):
  // they are no longer stored, and columns below this cannot be edited.
  offset = 0;
  // Appended pieces as views into the caller's chunks: no copy, no allocation per line.
  private bufs: Buffer[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  private pieces = 0;
  private cells: string[] | null = null;
  private count = 0;
  private bytes = 0;

  // Cells from column 0, sent ones included.
  get length(): number {
    return this.offset + this.count;
  }

  // Bytes stored (not yet sent).
  get byteSize(): number {
    return this.bytes;
  }

  // Writes `buf[start, end)` at cell `col` (>= offset), over what is there or past the end;
  // returns the number of cells written. Keeps a reference to `buf`.
  write(col: number, buf: Buffer, start: number, end: number): number {
    this.ghost = false;
    const rel = col - this.offset;
    if (this.cells === null && rel >= this.count) {
      if (rel > this.count) this.pad(rel);
      const n = cellCount(buf, start, end);
      this.addPiece(buf, start, end);
      this.count += n;
      this.bytes += end - start;
      return n;
    }
    const cells = this.editable();
    const incoming = splitCells(buf.subarray(start, end));
    while (cells.length < rel) cells.push(SPACE);
    let at = rel;
    let written = 0;
    for (const c of incoming) {
      const cont = written === 0 && ((c.charCodeAt(0) & 0xc0) === 0x80);
      if (cont && at > 0 && at === cells.length) {
        cells[at - 1] += c; // the rest of a character split across chunks
        continue;
      }
      if (at < cells.length) cells[at] = c;
      else cells.push(c);
      at++;
      written++;
    }
    this.recount();
    return written;
  }

  // EL 0: erases from `col` to the end of the line.
  eraseFrom(col: number): void {
    const rel = Math.max(0, col - this.offset);
    if (rel >= this.count) return;
    const cells = this.editable();
    cells.length = rel;
    this.recount();
  }

  // EL 1: blanks the line from its start up to and including `col`.
  eraseTo(col: number): void {
    this.fill(0, col - this.offset + 1, SPACE);
  }

  // EL 2: erases the whole line (the cursor keeps its column).
  clear(): void {
    this.dropPieces();
    this.cells = null;
    this.count = 0;
    this.bytes = 0;
  }

  // ECH: blanks `n` cells from `col`.
  eraseChars(col: number, n: number): void {
    const rel = col - this.offset;
    this.fill(rel, rel + n, SPACE);
  }

  // DCH: deletes `n` cells at `col`, pulling the rest left.
  deleteChars(col: number, n: number): void {
    const rel = Math.max(0, col - this.offset);
    if (rel >= this.count) return;
    this.editable().splice(rel, n);
    this.recount();
  }

  // ICH: inserts `n` blanks at `col`, pushing the rest right.
  insertBlanks(col: number, n: number): void {
    const rel = Math.max(0, col - this.offset);
    if (rel >= this.count) return;
    this.editable().splice(rel, 0, ...new Array<string>(n).fill(SPACE));
    this.recount();
  }

  // Makes the row new again, for the next line.
  reset(): void {
    this.clear();
    this.offset = 0;
    this.term = null;
    this.ghost = false;
  }

  // Appends the stored bytes to `out` and marks them sent: the row keeps its length, not its
  // content.
  take(out: OutBuffer): void {
    if (this.cells !== null) {
      out.append(Buffer.from(this.cells.join(''), 'latin1'));
    } else {
      for (let i = 0; i < this.pieces; i++) out.append(this.bufs[i] as Buffer, this.starts[i], this.ends[i]);
    }
    this.offset += this.count;
    this.clear();
  }

  private addPiece(buf: Buffer, start: number, end: number): void {
    this.bufs[this.pieces] = buf;
    this.starts[this.pieces] = start;
    this.ends[this.pieces] = end;
    this.pieces++;
  }

  // Forgets the pieces without shrinking the arrays (cheaper) but without keeping the chunks
  // they point into alive.
  private dropPieces(): void {
    for (let i = 0; i < this.pieces; i++) this.bufs[i] = NO_BYTES;
    this.pieces = 0;
  }

  private pad(rel: number): void {
    const spaces = Buffer.from(SPACE.repeat(rel - this.count), 'latin1');
    this.addPiece(spaces, 0, spaces.length);
    this.count = rel;
    this.bytes += spaces.length;
  }

  private fill(from: number, to: number, c: string): void {
    const end = Math.min(to, this.count);
    const start = Math.max(0, from);
    if (start >= end) return;
    const cells = this.editable();
    for (let i = start; i < end; i++) cells[i] = c;
    this.recount();
  }

  private editable(): string[] {
    if (this.cells === null) {
      const parts: Buffer[] = [];
      for (let i = 0; i < this.pieces; i++) parts.push((this.bufs[i] as Buffer).subarray(this.starts[i], this.ends[i]));
      this.cells = parts.length === 0 ? [] : splitCells(Buffer.concat(parts));
      this.dropPieces();
    }
    return this.cells;
  }

  private recount(): void {
    const cells = this.cells ?? [];
    this.count = cells.length;
    let bytes = 0;
    for (const c of cells) bytes += c.length;
    this.bytes = bytes;
  }
}
