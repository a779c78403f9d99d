// Terminal control semantics for the exec output cleaner: maps each token from AnsiLexer (C0
// controls, CSI and ESC sequences) onto the line model (text-screen.ts). What does not move the
// cursor or edit text (colours, modes, titles, the bell) changes nothing and is dropped.
import type { LexSink } from './ansi-lexer';
import type { TextScreen } from './text-screen';

const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const QUESTION = 0x3f;

// Tokens → line model operations.
export class ScreenSink implements LexSink {
  constructor(private readonly screen: TextScreen) {}

  plainLines(buf: Buffer, start: number, end: number): number {
    return this.screen.plainLines(buf, start, end);
  }

  text(buf: Buffer, start: number, end: number): void {
    this.screen.write(buf, start, end);
  }

  control(b: number): void {
    const s = this.screen;
    if (b === CR) s.carriageReturn();
    else if (b === LF) s.lineFeed();
    else if (b === BS) s.moveBy(-1);
    else if (b !== 0x00 && b !== 0x07) s.writeControl(b); // NUL and BEL draw nothing; TAB, FF, ... as in a file
  }

  csi(final: number, params: readonly number[], prefix: number, inter: number): void {
    const s = this.screen;
    if (inter !== 0) return;
    if (prefix !== 0) {
      if (prefix === QUESTION && (final === 0x68 || final === 0x6c)) this.privateModes(params, final === 0x68);
      return;
    }
    const p0 = params[0] ?? -1;
    const n = Math.max(1, p0);
    switch (final) {
      case 0x41: // A: up
        return s.up(n, false);
      case 0x46: // F: up, to column 0
        return s.up(n, true);
      case 0x42: // B, e: down
      case 0x65:
        return s.down(n, false);
      case 0x45: // E: down, to column 0
        return s.down(n, true);
      case 0x43: // C, a: right
      case 0x61:
        return s.moveBy(n);
      case 0x44: // D: left
        return s.moveBy(-n);
      case 0x47: // G, `: to a column
      case 0x60:
        return s.moveTo(n - 1);
      case 0x48: // H, f: to a row and column
      case 0x66:
        return s.moveAbsolute(Math.max(1, params[1] ?? -1) - 1);
      case 0x64: // d: to a row
        return s.moveAbsolute(null);
      case 0x4b: // K: erase in line
        return s.eraseLine(Math.max(0, p0));
      case 0x4a: // J: erase in display
        return s.eraseDisplay(Math.max(0, p0));
      case 0x58: // X: erase characters
        return s.eraseChars(n);
      case 0x50: // P: delete characters
        return s.deleteChars(n);
      case 0x40: // @: insert blanks
        return s.insertBlanks(n);
      case 0x73: // s: save the cursor
        return s.saveCursor();
      case 0x75: // u: restore it
        return s.restoreCursor();
    }
  }

  esc(final: number): void {
    const s = this.screen;
    switch (final) {
      case 0x37: // 7: save the cursor
        return s.saveCursor();
      case 0x38: // 8: restore it
        return s.restoreCursor();
      case 0x4d: // M: reverse index (up)
        return s.up(1, false);
      case 0x44: // D: index, E: next line
      case 0x45:
        return s.lineFeed();
      case 0x63: // c: full reset
        return s.reset();
    }
  }

  // The alternate screen (1049, 1047, 47): a full-screen program draws there; none of it stays.
  private privateModes(params: readonly number[], on: boolean): void {
    for (const p of params) {
      if (p === 1049 || p === 1047 || p === 47) this.screen.alternateScreen(on, p === 1049);
    }
  }
}
