// What a reply shows of a full-screen program (vim, less, top) instead of its redraw codes: the
// rows of the screen that matter, read from the session's screen mirror once the program has
// settled, so that the next keystrokes can be chosen without a `#!screen` call. Pure.
import type { ScreenText } from '../mirror/mirror';

// Rows around the cursor always shown: the cursor's and 12 on either side (shifted to fit the
// screen), about an editor's page of context around an edit.
export const WINDOW_ROWS = 25;
// Rows shown at most: the cursor's window, the bottom row (vim's and less's messages, a ruler) and
// the rows the keystrokes changed, from the top (a pager puts a search's match on its first row).
// A screen this tall or less is shown whole when all of it changed (a pager's new page, the
// program's first screen): 50 rows of text is a few kB, an agent's read of one page.
export const SHOWN_ROWS = 50;
// Unchanged rows between two shown ones that are shown rather than left out.
const GAP_ROWS = 3;

// The rows that matter under one `pty-relay:` line that names them and the cursor's place: the
// cursor's window, the screen's bottom row, and the rows that differ from `before` (the screen as
// the keystrokes found it; null: every row is new), within SHOWN_ROWS. The cursor's row is marked
// "> ", every other "  ". Blank rows at the ends of each run of rows are left out.
export function screenWindow(s: ScreenText, before: ScreenText | null = null): string {
  const total = s.rows.length;
  if (total === 0) return '';
  const row = (r: number): string => (s.rows[r] ?? '').trimEnd(); // top pads its rows to the width
  const blank = (r: number): boolean => row(r).trim() === '';
  const cur = Math.min(Math.max(s.cursor.row, 0), total - 1);
  const shown = new Set<number>();
  const first = Math.max(0, Math.min(cur - Math.floor(WINDOW_ROWS / 2), total - WINDOW_ROWS));
  for (let r = first; r < Math.min(total, first + WINDOW_ROWS); r++) shown.add(r);
  shown.add(total - 1);
  const prev = before !== null && before.rows.length === total && before.altScreen === s.altScreen ? before.rows : null;
  for (let r = 0; r < total && shown.size < SHOWN_ROWS; r++) if (prev === null || (prev[r] ?? '').trimEnd() !== row(r)) shown.add(r);
  const sorted = [...shown].sort((a, b) => a - b);
  // A gap of a few unchanged rows between shown ones is shown too (top's column titles between its
  // summary and its process rows): context that costs less than a broken page.
  for (let i = 1; i < sorted.length && shown.size < SHOWN_ROWS; i++) {
    const [a, b] = [sorted[i - 1] as number, sorted[i] as number];
    for (let r = a + 1; b - a - 1 <= GAP_ROWS && r < b && shown.size < SHOWN_ROWS; r++) shown.add(r);
  }
  const runs = trimmedRuns([...shown].sort((a, b) => a - b), blank, cur);
  const lines: string[] = [];
  for (const [a, b] of runs) for (let r = a; r <= b; r++) lines.push(`${r === cur ? '>' : ' '} ${row(r)}`);
  const left = Array.from({ length: total }, (_, r) => r).some((r) => !blank(r) && !runs.some(([a, b]) => r >= a && r <= b));
  const head = `pty-relay: the screen, ${rowList(runs)} of ${total}${left ? ' (the others: #!screen)' : ''}; the cursor is at row ${cur + 1}, column ${s.cursor.col + 1}, on the line marked ">"`;
  return `${head}\n${lines.join('\n')}\n`;
}

// The sorted rows as runs of consecutive rows, each without blank rows at its ends (the cursor's
// row stays, blank or not); runs left empty are dropped.
function trimmedRuns(rows: number[], blank: (r: number) => boolean, cur: number): [number, number][] {
  const runs: [number, number][] = [];
  for (const r of rows) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === r - 1) last[1] = r;
    else runs.push([r, r]);
  }
  const out: [number, number][] = [];
  for (let [a, b] of runs) {
    while (a <= b && a !== cur && blank(a)) a++;
    while (b >= a && b !== cur && blank(b)) b--;
    if (a <= b) out.push([a, b]);
  }
  return out;
}

// "rows 13-37 and 50", "rows 1-12, 30 and 38-50", "row 1" (1-based).
function rowList(runs: [number, number][]): string {
  const parts = runs.map(([a, b]) => (a === b ? `${a + 1}` : `${a + 1}-${b + 1}`));
  if (parts.length === 1 && runs[0]?.[0] === runs[0]?.[1]) return `row ${parts[0]}`;
  const tail = parts.pop();
  return `rows ${parts.length === 0 ? tail : `${parts.join(', ')} and ${tail}`}`;
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
