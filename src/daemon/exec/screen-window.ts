// What a reply shows of a full-screen program (vim, less, top) instead of its redraw codes: the
// rows of the screen around the cursor, read from the session's screen mirror once the program
// has settled, so that the next keystrokes can be chosen without a `#!screen` call. Pure.
import type { ScreenText } from '../mirror/mirror';

// Rows shown at most: the cursor's and 12 on either side (shifted to fit the screen), about an
// editor's page of context around an edit, at most 25 rows of the screen's width in bytes.
export const WINDOW_ROWS = 25;

// The rows around the cursor under one `pty-relay:` line that names them and the cursor's place;
// the cursor's row is marked "> ", every other "  ". Blank rows at the window's ends are left
// out; the screen's bottom row (vim's and less's messages, a ruler) is added when not blank.
export function screenWindow(s: ScreenText): string {
  const total = s.rows.length;
  if (total === 0) return '';
  const row = (r: number): string => s.rows[r] ?? '';
  const blank = (r: number): boolean => row(r).trim() === '';
  const cur = Math.min(Math.max(s.cursor.row, 0), total - 1);
  let first = Math.max(0, Math.min(cur - Math.floor(WINDOW_ROWS / 2), total - WINDOW_ROWS));
  let last = Math.min(total - 1, first + WINDOW_ROWS - 1);
  while (last > cur && blank(last)) last--;
  while (first < cur && blank(first)) first++;
  const bottom = total - 1 > last && !blank(total - 1) ? total - 1 : null;
  const lines: string[] = [];
  for (let r = first; r <= last; r++) lines.push(`${r === cur ? '>' : ' '} ${row(r)}`);
  if (bottom !== null) lines.push(`  ${row(bottom)}`);
  const rows = `rows ${first + 1}-${last + 1}${bottom === null ? '' : ` and ${total}`} of ${total}`;
  const head = `pty-relay: the screen around the cursor, ${rows}; the cursor is at row ${cur + 1}, column ${s.cursor.col + 1}, on the line marked ">"`;
  return `${head}\n${lines.join('\n')}\n`;
}

// CSI H, CSI 1;1H (and their spellings with a parameter left out), CSI 2J.
const HOME_OR_ERASE_RE = /^\[(?:1?(?:;1?)?H|2J)/;

// Does this output redraw the whole screen (cursor home, or the screen erased)? Programs that
// draw a full screen without the alternate one (top) do; line editors (readline) never do.
export function redrawsScreen(data: Buffer): boolean {
  for (let i = data.indexOf(0x1b); i !== -1; i = data.indexOf(0x1b, i + 1)) {
    const s = data.toString('latin1', i + 1, i + 7);
    if (HOME_OR_ERASE_RE.test(s)) return true;
  }
  return false;
}
