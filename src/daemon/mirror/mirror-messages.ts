// The messages between the daemon's main thread and the mirror worker (mirror-worker.ts). Each
// mirror has an id; the worker keeps one headless terminal per id and handles messages in order,
// so a request sees every write posted before it.

// What a person sees: the visible rows (trailing spaces trimmed) and where the cursor is (its
// column is `cols` while a line written to the last column waits to wrap).
export interface ScreenText {
  rows: string[];
  cols: number;
  cursor: { row: number; col: number };
  altScreen: boolean;
}

export type ToWorker =
  | { op: 'open'; id: number; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: number; data: Uint8Array }
  | { op: 'resize'; id: number; cols: number; rows: number }
  | { op: 'snapshot'; id: number; req: number }
  | { op: 'screen'; id: number; req: number }
  // The visible rows drawn in place, at most `rows` of them, each cut at `cols` (repaint.ts).
  | { op: 'repaint'; id: number; req: number; rows: number; cols: number }
  | { op: 'close'; id: number };

export type FromWorker =
  // `bytes` of mirror `id`'s writes are parsed: the main thread's measure of the backlog.
  | { op: 'parsed'; id: number; bytes: number }
  | { op: 'snapshot'; req: number; text: string }
  | { op: 'repaint'; req: number; text: string }
  | { op: 'screen'; req: number; screen: ScreenText };
