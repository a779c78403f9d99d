// What a line-mode program (a REPL, a CLI at its prompt) added to a normal screen since keystrokes
// were typed: the rows from the first one that differs, once the screen's scrolling is accounted
// for, to the cursor's row or the last row with text. A REPL's answer is these rows (`>>> 6*7`,
// `42`, `>>>`), not the whole screen again. Pure.
import type { ScreenText } from '../mirror/mirror';

// The rows that are new in `after` (trailing spaces trimmed) and the 0-based row they start at;
// `before` null (or of another size or mode): every row up to the cursor's or the last with text.
export function newRows(after: ScreenText, before: ScreenText | null): { rows: string[]; first: number } {
  const row = (s: ScreenText, r: number): string => (s.rows[r] ?? '').trimEnd();
  const n = after.rows.length;
  let end = Math.min(Math.max(after.cursor.row, 0), n - 1);
  for (let r = n - 1; r > end; r--) {
    if (row(after, r) !== '') {
      end = r;
      break;
    }
  }
  const first = before === null || before.rows.length !== n || before.altScreen !== after.altScreen ? 0 : unchangedTop(after, before, row);
  return { rows: Array.from({ length: Math.max(0, end - first + 1) }, (_, i) => row(after, first + i)), first };
}

// How many rows at the top of `after` were already on the screen before, after it scrolled by
// some k rows (row r now is row r + k then): the largest such count over every k, the smallest k
// on a tie (no scrolling is the likelier story). The row the keystrokes were typed on differs
// (their echo), so the count stops there or before.
function unchangedTop(after: ScreenText, before: ScreenText, row: (s: ScreenText, r: number) => string): number {
  const n = after.rows.length;
  let best = 0;
  for (let k = 0; k < n && n - k > best; k++) {
    let same = 0;
    while (same + k < n && row(after, same) === row(before, same + k)) same++;
    if (same > best) best = same;
  }
  // Rows the same to the end: nothing changed but perhaps the cursor's place; its row is shown.
  return Math.min(best, Math.min(Math.max(after.cursor.row, 0), n - 1));
}
