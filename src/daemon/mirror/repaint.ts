// A repaint: the visible rows of a mirror's terminal drawn again in place, for a client that drew
// over its own screen (pty-client's reconnecting status) and has since caught up with the output.
// Unlike a snapshot it leaves the terminal's modes, its scrollback and the cursor alone: each row
// is addressed by number, cleared and drawn with its own colours and attributes; the client saves
// and restores the cursor (and the pen) around it. Runs in the mirror worker (@xterm types only).
import type { IBufferCell, Terminal } from '@xterm/headless';

// The bytes that draw the first `maxRows` visible rows, each cut at `maxCols` columns.
export function drawRows(term: Terminal, maxRows: number, maxCols: number): string {
  const buf = term.buffer.active;
  const cell = buf.getNullCell();
  const cols = Math.min(term.cols, maxCols);
  let out = '';
  for (let y = 0; y < Math.min(term.rows, maxRows); y++) {
    out += `\x1b[${y + 1};1H\x1b[0m\x1b[2K`;
    const line = buf.getLine(buf.viewportY + y);
    if (line === undefined) continue;
    let row = '';
    let kept = 0; // row's length up to its last cell that is not a plain blank
    let pen = '0';
    for (let x = 0; x < cols; x++) {
      line.getCell(x, cell);
      const width = cell.getWidth();
      if (width === 0) continue; // the right half of a wide character
      if (x + width > cols) break; // a wide character the cut would split
      const sgr = penOf(cell);
      if (sgr !== pen) {
        row += `\x1b[${sgr}m`;
        pen = sgr;
      }
      const chars = cell.getChars();
      row += chars === '' ? ' ' : chars;
      if (chars !== '' && chars !== ' ') kept = row.length;
      else if (sgr !== '0') kept = row.length; // a coloured blank shows
    }
    out += row.slice(0, kept);
  }
  return `${out}\x1b[0m`;
}

// The SGR parameters that set a cell's attributes and colours from the default pen.
function penOf(c: IBufferCell): string {
  const p = ['0'];
  if (c.isBold()) p.push('1');
  if (c.isDim()) p.push('2');
  if (c.isItalic()) p.push('3');
  if (c.isUnderline()) p.push('4');
  if (c.isBlink()) p.push('5');
  if (c.isInverse()) p.push('7');
  if (c.isInvisible()) p.push('8');
  if (c.isStrikethrough()) p.push('9');
  if (c.isFgRGB()) p.push(`38;2;${rgb(c.getFgColor())}`);
  else if (c.isFgPalette()) p.push(palette(c.getFgColor(), 30, 90, 38));
  if (c.isBgRGB()) p.push(`48;2;${rgb(c.getBgColor())}`);
  else if (c.isBgPalette()) p.push(palette(c.getBgColor(), 40, 100, 48));
  return p.join(';');
}

const rgb = (v: number): string => `${(v >> 16) & 255};${(v >> 8) & 255};${v & 255}`;
// Colours 0-7 and 8-15 in their short forms (as most programs send them), the rest as 256-colour.
const palette = (v: number, base: number, bright: number, extended: number): string => (v < 8 ? `${base + v}` : v < 16 ? `${bright + v - 8}` : `${extended};5;${v}`);
