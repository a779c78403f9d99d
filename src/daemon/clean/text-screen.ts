// What a person would read once a command is done: a small model of the terminal's lines that
// follows the cursor through redraws, and sends each line once it can no longer change.
//
// - Text is written at the cursor; `\r`, backspace, cursor left/right/column (CUB CUF CHA HPA
//   HPR) and erase (EL ECH DCH ICH ED) edit the current line, so a progress bar redrawn 50 times
//   comes out as its last frame.
// - Line endings: with output processing on, the PTY turns every "\n" a program writes into
//   "\r\n". So "\r\n" is a plain newline ("\n"), and "\r\r\n" is a "\r\n" that the program wrote
//   itself (a CRLF file): it is kept. With it off (`unprocessed`, an exec job's usual case, see
//   shell/newlines.ts) the bytes are the program's own: "\n" is a newline and "\r\n" is kept.
//   A lone "\r" followed by text is a redraw; a "\n" without "\r" is a newline in either case.
// - Cursor up (CUU CPL RI) into lines already shown makes the model hold that many lines from
//   then on: later frames of a multi-line redraw replace each other, and only the last is sent.
//   Lines sent before the first move up cannot be taken back; a redrawn copy follows them.
// - Drawing elsewhere is dropped: the alternate screen (full-screen programs) and anything drawn
//   after an absolute cursor move until the saved cursor is restored (status lines).
// screen-sink.ts maps terminal control sequences onto these operations.
import { OutBuffer } from './out-buffer';
import { TextRow } from './text-row';

// Lines of a multi-line redraw we hold at most; a program that moves up further is redrawing
// a screen, not a progress display, and its older lines are sent as they are.
const MAX_HOLD_ROWS = 100;
// Cursor moves go no further right than this (a real screen is ~200 wide); a bogus
// `CSI 65535 C` must not turn into 65535 spaces.
const MAX_MOVE_COLUMN = 4096;
// Memory bound: a line longer than this without a newline is sent in pieces of this size
// (a later redraw of a sent piece then comes out after a "\r").
const MAX_LINE_BYTES = 64 * 1024;
// Memory bound for held lines together.
const MAX_HELD_BYTES = 1024 * 1024;

const LF = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');
const CR = Buffer.from('\r');
const CONTROL_TEXT = Array.from({ length: 32 }, (_, b) => Buffer.of(b));

// The line model behind the output cleaner.
export class TextScreen {
  private rows: TextRow[] = [new TextRow()];
  private cur = 0; // the cursor's row, an index into rows (rows[0] is the oldest held)
  private col = 0; // the cursor's column, in cells
  private hold = 0; // lines above the cursor that may still be redrawn
  private crs = 0; // carriage returns not yet acted on: the next byte says what they are
  private saved: { row: number; col: number } | null = null;
  private raw = false; // output processing was off (see `unprocessed`)
  private away = false; // drawing at an absolute position (status line): dropped
  private alt = false; // on the alternate screen: dropped
  private readonly out = new OutBuffer();

  // Everything sent since the last take, in order.
  take(): Buffer {
    return this.out.take();
  }

  // Whether the PTY processed the output (OPOST): says which line endings are the program's own.
  set unprocessed(on: boolean) {
    this.raw = on;
  }

  // The end of the stream: sends every held line and a trailing "\r", then starts over.
  flush(): void {
    this.releaseRows(this.rows.length - 1);
    const last = this.rows[0] as TextRow;
    if (!last.ghost) last.take(this.out);
    if (this.crs > 0 && !this.hidden) this.out.append(CR);
    this.rows = [new TextRow()];
    this.cur = this.col = this.hold = this.crs = 0;
    this.saved = null;
    this.away = this.alt = false;
  }

  // Sends every held line, as flush does, for a reply that ends while the program runs on: the
  // modes it is in (the alternate screen, a status line being drawn) stay, so its later drawing
  // is still dropped.
  flushLines(): void {
    const { alt, away } = this;
    this.flush();
    this.alt = alt;
    this.away = away;
  }

  // Fast path: at the start of a line with nothing held, lines of plain text (out-buffer.ts) are
  // final as they are, and most output is such lines. Returns where it stopped.
  plainLines(buf: Buffer, start: number, end: number): number {
    const row = this.rows[0] as TextRow;
    if (this.rows.length !== 1 || this.hold !== 0 || this.crs !== 0 || this.col !== 0 || row.length !== 0 || this.hidden) {
      return start;
    }
    return this.raw ? this.out.appendUnprocessedLines(buf, start, end) : this.out.appendPlainLines(buf, start, end);
  }

  // Writes text at the cursor (keeps a reference to `buf`).
  write(buf: Buffer, start: number, end: number): void {
    if (this.hidden) return;
    this.applyCr();
    const row = this.row;
    if (this.col < row.offset) {
      // Redrawing text already sent (a very long line): send the rest, then a "\r".
      row.take(this.out);
      this.out.append(CR);
      row.offset = 0;
    }
    this.col += row.write(this.col, buf, start, end);
    if (row.byteSize > MAX_LINE_BYTES) {
      this.releaseRows(this.cur);
      if (this.cur === 0) row.take(this.out);
    }
  }

  // A control character kept as text (TAB, FF, VT, ...), as it is in a file.
  writeControl(b: number): void {
    this.write(CONTROL_TEXT[b] as Buffer, 0, 1);
  }

  // CR: what it means depends on the byte after it (a line end, or a redraw).
  carriageReturn(): void {
    this.crs++;
  }

  // LF: the line ends; with a "\r\n" of the program's own after one CR when output processing
  // was off, after two when it was on (the PTY added one).
  lineFeed(): void {
    const term = this.crs >= (this.raw ? 1 : 2) ? CRLF : LF;
    this.crs = 0;
    if (this.hidden) return;
    const row = this.row;
    if (this.rows.length === 1 && this.hold === 0) {
      // The common case, a plain line: send it now and reuse the row.
      row.take(this.out);
      this.out.append(row.term ?? term);
      row.reset();
      this.col = 0;
      return;
    }
    if (row.term === null) row.term = term;
    if (this.cur === this.rows.length - 1) this.rows.push(new TextRow());
    this.cur++;
    this.col = 0;
    let heldBytes = 0;
    for (const r of this.rows) heldBytes += r.byteSize;
    this.releaseRows(heldBytes > MAX_HELD_BYTES ? this.cur : this.cur - this.hold);
  }

  // Cursor to a column of the current line.
  moveTo(col: number): void {
    if (this.hidden) return;
    this.applyCr();
    this.col = Math.max(this.row.offset, Math.min(col, MAX_MOVE_COLUMN));
  }

  // Cursor left (negative) or right.
  moveBy(n: number): void {
    if (this.hidden) return;
    this.applyCr();
    this.moveTo(this.col + n);
  }

  // An absolute move (row unknown to us). After a saved cursor it draws elsewhere until the
  // cursor is restored; otherwise it is taken as a move to `col` on the current line.
  moveAbsolute(col: number | null): void {
    if (this.saved !== null) this.away = true;
    else if (col !== null) this.moveTo(col);
  }

  // Cursor up `n` lines (to column 0 with `home`).
  up(n: number, home: boolean): void {
    if (this.hidden) return;
    this.applyCr();
    let target = this.cur - n;
    if (target < 0) {
      // Lines already sent: redrawn copies of them are held, and sent if anything is written.
      const room = Math.max(0, MAX_HOLD_ROWS + 1 - this.rows.length);
      const add = Math.min(-target, room);
      const ghosts = Array.from({ length: add }, () => Object.assign(new TextRow(), { ghost: true, term: LF }));
      this.rows.unshift(...ghosts);
      this.cur += add;
      if (this.saved !== null) this.saved.row += add;
      target = Math.max(0, this.cur - n);
    }
    this.cur = target;
    this.hold = Math.min(MAX_HOLD_ROWS, Math.max(this.hold, this.rows.length - 1 - this.cur));
    if (home || this.col < this.row.offset) this.col = this.row.offset;
  }

  // Cursor down `n` lines, not past the last line (to column 0 with `home`).
  down(n: number, home: boolean): void {
    if (this.hidden) return;
    this.applyCr();
    this.cur = Math.min(this.rows.length - 1, this.cur + n);
    if (home || this.col < this.row.offset) this.col = this.row.offset;
  }

  // EL: 0 from the cursor to the end, 1 from the start to the cursor, 2 the whole line.
  eraseLine(mode: number): void {
    if (this.hidden) return;
    this.applyCr();
    if (mode === 0) this.row.eraseFrom(this.col);
    else if (mode === 1) this.row.eraseTo(this.col);
    else if (mode === 2) this.row.clear();
  }

  // ED: 0 the rest of the screen, 1 up to the cursor, 2 and 3 all of it.
  eraseDisplay(mode: number): void {
    if (this.hidden) return;
    this.applyCr();
    const row = this.row;
    if (mode === 0) {
      row.eraseFrom(this.col);
      this.rows.length = this.cur + 1; // the lines below the cursor are gone
    } else if (mode === 1) {
      row.eraseTo(this.col);
    } else {
      // The screen is cleared: what was above is final, the cursor's line is blank.
      this.releaseRows(this.cur);
      this.rows.length = 1;
      row.clear();
    }
  }

  // ECH, DCH, ICH at the cursor.
  eraseChars(n: number): void {
    if (!this.hidden) this.editAt((row, col) => row.eraseChars(col, n));
  }

  deleteChars(n: number): void {
    if (!this.hidden) this.editAt((row, col) => row.deleteChars(col, n));
  }

  insertBlanks(n: number): void {
    if (!this.hidden) this.editAt((row, col) => row.insertBlanks(col, n));
  }

  saveCursor(): void {
    this.applyCr();
    this.saved = { row: this.cur, col: this.col };
  }

  restoreCursor(): void {
    this.away = false;
    if (this.saved === null) return;
    this.cur = Math.min(this.saved.row, this.rows.length - 1);
    this.col = Math.max(this.row.offset, this.saved.col);
  }

  // The alternate screen on or off; `saves` (1049) also saves and restores the cursor.
  alternateScreen(on: boolean, saves: boolean): void {
    if (saves && on) this.saveCursor();
    this.alt = on;
    if (saves && !on) this.restoreCursor();
  }

  // RIS: a full reset clears the screen.
  reset(): void {
    this.away = this.alt = false;
    this.saved = null;
    this.eraseDisplay(2);
    this.col = 0;
  }

  private get row(): TextRow {
    return this.rows[this.cur] as TextRow;
  }

  private get hidden(): boolean {
    return this.away || this.alt;
  }

  // Pending carriage returns followed by something other than LF: the cursor goes to column 0.
  private applyCr(): void {
    if (this.crs === 0) return;
    this.crs = 0;
    this.col = 0;
  }

  private editAt(edit: (row: TextRow, col: number) => void): void {
    this.applyCr();
    edit(this.row, this.col);
  }

  // Sends the first `count` held rows: lines that can no longer change.
  private releaseRows(count: number): void {
    const n = Math.min(count, this.rows.length - 1);
    if (n <= 0) return;
    for (const r of this.rows.splice(0, n)) {
      if (r.ghost) continue;
      r.take(this.out);
      this.out.append(r.term ?? LF);
    }
    this.cur -= n;
    if (this.saved !== null) this.saved.row = Math.max(0, this.saved.row - n);
  }
}
