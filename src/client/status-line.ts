// The attach client's status while it reconnects, laid out for the terminal's width: why the
// connection went (kept for every retry, so that someone who looks late still sees it), and what
// happens now (the next retry, and why the last one failed). A status drawn past the width would
// wrap and scroll the session's screen, so each row is cut to it.

export const STATUS_PREFIX = '[pty-client]';
// What joins the parts on one row (plain ASCII: the terminal may not be UTF-8).
const JOIN = '; ';
// Rows the reason may take on a narrow terminal: it is what matters most.
const WHY_ROWS = 2;

export interface ReconnectStatus {
  // Why the link was lost, or why none could be made: "connection lost: the daemon is shutting down (SIGTERM)".
  why: string;
  // What happens now: "retrying in 1.0 s (attempt 2)".
  now: string;
  // Why the last retry failed, when that says something `why` does not.
  last: string | null;
}

// The rows to draw on the terminal's last rows. One when why and now fit side by side (the last
// retry's failure then follows, cut at the width); else why, wrapped at a space onto at most
// WHY_ROWS rows, over now and the last failure on one row, each cut at the width.
export function statusRows(s: ReconnectStatus, cols: number): string[] {
  const width = Math.max(1, cols - 1); // the last column: some terminals wrap on it
  const now = s.last === null ? s.now : `${s.now}; last try: ${s.last}`;
  const head = `${STATUS_PREFIX} ${s.why}`;
  if (head.length + JOIN.length + s.now.length <= width) return [`${head}${JOIN}${now}`.slice(0, width)];
  return [...wrap(head, width, WHY_ROWS), now.slice(0, width)];
}

// `text` in rows of at most `width`, broken at the last space that fits (or cut where none
// does); the last of `maxRows` rows is cut.
function wrap(text: string, width: number, maxRows: number): string[] {
  const rows: string[] = [];
  let rest = text;
  while (rest.length > width && rows.length < maxRows - 1) {
    const space = rest.lastIndexOf(' ', width);
    const at = space > 0 ? space : width;
    rows.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  rows.push(rest.slice(0, width));
  return rows;
}
