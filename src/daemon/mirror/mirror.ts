// mirror/ owns the headless screen of each session: this main-thread side (feeding policy, flood
// skipping with mirror-skip.ts), the one worker thread that holds every session's terminal
// (mirror-host.ts, mirror-worker.ts) and the messages between them (mirror-messages.ts). It is
// fed bytes and asked for screens by session/audience.ts, and imports nothing else of the daemon
// but the shared pieces in base/.
//
// A headless terminal that follows a session's output so a newly attached client can be shown the
// current screen, even when a full-screen program switched modes (alternate screen, cursor keys,
// mouse) long before the ring's oldest byte. The terminal itself lives in the mirror worker
// (mirror-worker.ts), off the daemon's event loop; this is the main thread's side.
//
// Feeding policy. Parsing is the expensive part (xterm parses `seq` output at 10-25 MB/s, about
// the PTY's own ceiling, and the machine has 2 cores shared with the program and the clients), so
// output is not parsed as it comes when it comes fast:
// - output is posted to the worker at up to MIRROR_FEED_BYTES_PER_S (with a burst of
//   MIRROR_TAIL_BYTES): any interactive program, full-screen ones included, stays under it
//   and is mirrored byte for byte;
// - beyond that rate output waits here; past MIRROR_BACKLOG_BYTES (a flood) its oldest part is
//   dropped, keeping the last MIRROR_TAIL_BYTES, and the dropped part is scanned for the control
//   sequences whose state outlives the text (SkippedModes), which are replayed first;
// - during a flood nothing is posted until output pauses for MIRROR_QUIET_MS or a snapshot is
//   asked for; then whatever waits is posted.
// A flood thus costs a memchr per byte instead of a parse, and the screen after it is its last
// ~256 kB drawn in the right modes. What can be lost: text a full-screen program drew once,
// inside a flood, and never redrew in the flood's last 256 kB.
import { TokenBucket } from '../base/rate-limit';
import { mirrorHost, type MirrorClient } from './mirror-host';
import type { ScreenText } from './mirror-messages';
import { SkippedModes } from './mirror-skip';

// Scrollback lines kept by the mirror and sent on a fresh attach: more history than one screen.
export const MIRROR_SCROLLBACK_LINES = 1000;
// Sustained rate parsed byte for byte: interactive programs stay far below it (a full 200x50
// colour redraw is ~40 kB); `seq` or `cat` of a big file go far above.
export const MIRROR_FEED_BYTES_PER_S = 1024 * 1024;
// Output waiting here at most: the default ring's worth.
export const MIRROR_BACKLOG_BYTES = 1024 * 1024;
// What a flood leaves to parse: thousands of lines, many screens of any full-screen program.
export const MIRROR_TAIL_BYTES = 256 * 1024;
// A pause this long ends a flood: what waits is parsed then, so an attach finds it ready.
export const MIRROR_QUIET_MS = 30;
// Where a cut looks for a line end to start the kept tail cleanly.
const CUT_SEARCH_BYTES = 4096;

export type { ScreenText };

// Columns a line-mode prompt may leave between its text and the cursor ("Name: ", ">>>  ").
const PROMPT_GAP_COLS = 4;

// The line a program waiting for input prompts on, trimmed; '' when the screen shows none. On the
// alternate screen (vim, less) it is the cursor's line, or the last non-empty one above it. On the
// normal screen a prompt ends where the cursor stands (a prompt followed by an empty line: the
// cursor at the start of that line) unless the job `printed` no text (that line is then the
// command's own echo, `$ [agent] cat`, not a prompt); a program that leaves its cursor elsewhere
// (top: after its last process row, or at the end of the last column) shows no prompt there.
export function promptOf(s: ScreenText, printed = true): string {
  let row = s.cursor.row;
  const text = (r: number): string => (s.rows[r] ?? '').trimEnd();
  if (!s.altScreen) {
    if (s.cursor.col >= s.cols) return '';
    const gap = s.cursor.col - width(text(row));
    if (text(row).trim() !== '' && (gap < 0 || gap > PROMPT_GAP_COLS)) return '';
    if (text(row).trim() === '' && (s.cursor.col !== 0 || !printed)) return '';
  }
  while (row > 0 && text(row).trim() === '') row--;
  return text(row).trim();
}

// Columns a row's text takes: East Asian wide characters and emoji take two.
function width(line: string): number {
  let w = 0;
  for (const ch of line) w += WIDE_RE.test(ch) ? 2 : 1;
  return w;
}
const WIDE_RE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

export class Mirror implements MirrorClient {
  private readonly id: number;
  private fed = 0; // absolute offset one past the last byte written to the mirror
  private pending: Buffer[] = []; // written, not yet posted
  private pendingBytes = 0;
  private readonly skipped = new SkippedModes();
  private readonly bucket: TokenBucket;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = 0;
  private inflight = 0; // posted, not yet parsed by the worker
  private flooding = false; // output was cut: post nothing until it pauses
  private disposed = false;
  // Bytes dropped by the feeding policy, for tests and diagnostics.
  skippedBytes = 0;

  // `now` is injectable for tests (a frozen clock: never quiet, no refill).
  constructor(
    private cols: number,
    private rows: number,
    startOffset: number,
    private readonly now: () => number = Date.now,
  ) {
    this.fed = startOffset;
    this.bucket = new TokenBucket({ ratePerSec: MIRROR_FEED_BYTES_PER_S, burst: MIRROR_TAIL_BYTES }, now());
    this.id = mirrorHost.add(this);
    this.reopen();
  }

  // Feeds output that starts at absolute `offset` (which must follow the previous write).
  write(offset: number, data: Buffer): void {
    if (this.disposed || data.length === 0) return;
    this.fed = offset + data.length; // after a gap the mirror just carries on
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.lastWrite = this.now();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump(false);
      });
    }
  }

  resize(cols: number, rows: number): void {
    if (this.disposed) return;
    this.cols = cols;
    this.rows = rows;
    this.pump(true);
    mirrorHost.post({ op: 'resize', id: this.id, cols, rows });
  }

  // The screen as of the last byte fed: the offset it corresponds to and the bytes that draw it.
  async snapshot(): Promise<{ offset: number; data: Buffer }> {
    const offset = this.fed;
    this.pump(true);
    const reply = this.disposed ? null : await mirrorHost.request(this.id, 'snapshot');
    return { offset, data: Buffer.from(reply?.text ?? '', 'utf8') };
  }

  // The visible rows drawn in place (repaint.ts), at most `rows` of them cut at `cols`, as of the
  // last byte fed: the offset they stand for and the bytes that draw them.
  async repaint(rows: number, cols: number): Promise<{ offset: number; data: Buffer }> {
    const offset = this.fed;
    this.pump(true);
    const reply = this.disposed ? null : await mirrorHost.request(this.id, 'repaint', { rows, cols });
    return { offset, data: Buffer.from(reply?.text ?? '', 'utf8') };
  }

  // The visible screen as plain text (trailing spaces trimmed), the cursor, and whether a
  // full-screen program switched to the alternate screen: as of the last byte fed.
  async screenText(): Promise<ScreenText> {
    this.pump(true);
    const reply = this.disposed ? null : await mirrorHost.request(this.id, 'screen');
    return reply?.screen ?? { rows: [], cols: this.cols, cursor: { row: 0, col: 0 }, altScreen: false };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pending = [];
    if (this.timer !== null) clearTimeout(this.timer);
    mirrorHost.remove(this.id);
  }

  // MirrorClient: the worker parsed a write of ours.
  parsed(bytes: number): void {
    this.inflight = Math.max(0, this.inflight - bytes);
  }

  // MirrorClient: (re)creates our terminal in the worker.
  reopen(): void {
    this.inflight = 0;
    mirrorHost.post({ op: 'open', id: this.id, cols: this.cols, rows: this.rows, scrollback: MIRROR_SCROLLBACK_LINES });
  }

  // Posts what waits if it may (forced, quiet, or within the rate); otherwise keeps it, bounded.
  private pump(force: boolean): void {
    if (this.disposed || this.pendingBytes === 0) return;
    const now = this.now();
    const quiet = now - this.lastWrite >= MIRROR_QUIET_MS;
    if (force || quiet || (!this.flooding && this.inflight < MIRROR_BACKLOG_BYTES && this.bucket.tryTake(this.pendingBytes, now))) {
      this.flooding = false;
      this.post();
      return;
    }
    if (this.pendingBytes > MIRROR_BACKLOG_BYTES) {
      this.flooding = true;
      this.cut();
    }
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump(false);
      }, MIRROR_QUIET_MS);
      this.timer.unref();
    }
  }

  // Drops all but the last MIRROR_TAIL_BYTES (from a line start), remembering their modes. Whole
  // chunks go as they are (no copy); only the one the cut falls in is split.
  private cut(): void {
    let drop = this.pendingBytes - MIRROR_TAIL_BYTES;
    let whole = 0;
    for (let c = this.pending[0]; c !== undefined && c.length <= drop; c = this.pending[++whole]) {
      this.skipped.absorb(c);
      drop -= c.length;
    }
    const kept = this.pending.slice(whole);
    const first = kept[0];
    if (first !== undefined && drop > 0) {
      const nl = first.indexOf(0x0a, drop);
      const at = nl !== -1 && nl - drop < CUT_SEARCH_BYTES ? nl + 1 : drop;
      this.skipped.absorb(first.subarray(0, at));
      kept[0] = first.subarray(at);
    }
    this.skipped.end();
    const keptBytes = kept.reduce((n, c) => n + c.length, 0);
    this.skippedBytes += this.pendingBytes - keptBytes;
    this.pending = kept;
    this.pendingBytes = keptBytes;
  }

  // Sends the replayed modes (after a cut) and everything waiting, as one transferred buffer.
  private post(): void {
    const prelude = this.skipped.empty ? null : this.skipped.take();
    const parts = prelude === null ? this.pending : [prelude, ...this.pending];
    const size = this.pendingBytes + (prelude?.length ?? 0);
    const data = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const chunk of parts) at += chunk.copy(data, at);
    this.pending = [];
    this.pendingBytes = 0;
    this.inflight += size;
    mirrorHost.post({ op: 'write', id: this.id, data }, [data.buffer as ArrayBuffer]);
  }
}
