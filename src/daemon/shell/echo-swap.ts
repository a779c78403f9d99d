// What watchers see of a line the daemon types into the shell: the command an exec job runs, not
// the alias word that runs it (shell-integration.ts: ` __pr_rn`, ` __pr_rt`, ` __pr_fixtty`).
//
// Readline echoes a typed line between the prompt (after the `A` mark) and the `C` mark that
// PS0 prints when the line is accepted: `[rest of PS1][its reaction to C-e C-u][echo][wrap
// fix-ups]\r\n\e[?2004l\r`. From the moment the line is typed until that `C` mark, the display
// stream (ring, mirror, attached terminals) is held here, ~1 ms; at the mark the echo and what
// follows it on that line become the job's own text, drawn with a dim `[agent]` prefix. A person
// typing in the terminal is never held: only a line the daemon typed arms this. The exec reply
// never goes through here (it is cut from the PTY stream by the marks, see running-job.ts).
//
// Held bytes are bounded (HOLD_MAX_BYTES) and let go at any mark, a shell reset or a handover, so
// nothing is lost when the line never reaches a prompt (repair.ts).

const EMPTY = Buffer.alloc(0);
// Far more than a prompt, readline's redraw of a wrapped line and a job's first output.
const HOLD_MAX_BYTES = 64 * 1024;
// How much of a job's text is drawn: the first lines, each cut to a width, then a count.
export const SHOWN_LINES = 3;
export const SHOWN_LINE_CHARS = 160;

const DIM = '\x1b[2;36m';
const UNDIM = '\x1b[22;39m';
// The mark a watcher tells the agent's commands from their own by.
export const AGENT_MARK = '[agent]';

export class EchoSwap {
  private typed: Buffer | null = null; // the echo to find (the typed line without its control keys)
  private shown: () => string = () => '';
  private held: Buffer[] = [];
  private heldBytes = 0;

  // `show`: draws bytes let go of (the session's audience).
  constructor(private readonly show: (data: Buffer) => void) {}

  // About to type `line` (control keys, text, C-j or Return); its echo is to read as `shown()` instead
// (made only when the echo is swapped, off the path that types the line).
  arm(line: string, shown: () => string): void {
    const text = line.replace(/^[\x00-\x1f]+/, '').replace(/[\r\n]$/, '');
    this.typed = Buffer.from(text);
    this.shown = shown;
  }

  get armed(): boolean {
    return this.typed !== null;
  }

  // The display stream: what to show now (nothing while a typed line's echo is awaited).
  filter(data: Buffer): Buffer {
    if (this.typed === null) return data;
    this.held.push(data);
    this.heldBytes += data.length;
    return this.heldBytes > HOLD_MAX_BYTES ? this.release(null) : EMPTY;
  }

  // Draws the held bytes (release) for attached terminals.
  letGo(cNonce: string | null): void {
    const data = this.release(cNonce);
    if (data.length > 0) this.show(data);
  }

  // A mark arrived, or the shell or session moves on: the held bytes, rewritten up to the C mark
  // of the shell whose nonce is `cNonce` when it is among them, else as far as the echo goes.
  release(cNonce: string | null): Buffer {
    const typed = this.typed;
    if (typed === null) return EMPTY;
    const all = this.held.length === 1 ? (this.held[0] as Buffer) : Buffer.concat(this.held);
    this.typed = null;
    this.held = [];
    this.heldBytes = 0;
    let end = cNonce === null ? -1 : all.indexOf(`\x1b]133;C;prn=${cNonce}\x07`, 0, 'latin1');
    if (end === -1) end = all.length;
    const line = swapEcho(all.subarray(0, end), typed, this.shown());
    return Buffer.concat([line, all.subarray(end)]);
  }
}

// `region` with the echo of `typed` and the rest of its line replaced by `shown`. When the echo is
// not there whole (readline drew it some other way), from where its first word starts.
export function swapEcho(region: Buffer, typed: Buffer, shown: string): Buffer {
  let at = region.indexOf(typed);
  if (at === -1) at = region.indexOf(typed.subarray(0, Math.min(typed.length, 5)));
  if (at === -1) return region;
  let head = region.subarray(0, at);
  if (isDing(head)) head = head.subarray(0, head.length - 1);
  const nl = region.lastIndexOf(0x0a);
  const tail = nl >= at ? Buffer.concat([Buffer.from('\r\n'), region.subarray(nl + 1)]) : EMPTY;
  return Buffer.concat([head, Buffer.from(shown), tail]);
}

// True when `head` ends in readline's bell (C-u on an empty line), not in the BEL that ends an OSC
// string of the prompt (a window title).
function isDing(head: Buffer): boolean {
  if (head.length === 0 || head[head.length - 1] !== 0x07) return false;
  const osc = head.lastIndexOf('\x1b]');
  if (osc === -1) return true;
  const closed = Math.max(head.lastIndexOf(0x07, head.length - 2), head.lastIndexOf('\x1b\\', head.length - 2));
  return closed > osc;
}

// How an exec job's command is drawn at the prompt: a dim `[agent]` mark, its first lines (cut to
// width, control characters shown as ^X), and how many lines are not shown.
export function renderJobLine(command: string): string {
  const text = command.replace(/\s+$/, '');
  const lines: string[] = [];
  let total = 0;
  let from = 0;
  while (from <= text.length) {
    const nl = text.indexOf('\n', from);
    const end = nl === -1 ? text.length : nl;
    if (lines.length < SHOWN_LINES) lines.push(printable(text.slice(from, Math.min(end, from + SHOWN_LINE_CHARS + 1))));
    total++;
    if (nl === -1) break;
    from = nl + 1;
  }
  const rows = lines.map((l, i) => `${DIM}${i === 0 ? AGENT_MARK : '      >'}${UNDIM} ${l}`);
  if (total > lines.length) rows.push(`${DIM}        … ${total - lines.length} more line${total - lines.length === 1 ? '' : 's'}${UNDIM}`);
  return rows.join('\r\n');
}

// A line of command text as plain characters: C0, DEL and C1 controls as ^X or \xNN, invisible
// and direction-changing characters as \uNNNN (so a line cannot hide what follows), tabs as a space, cut to SHOWN_LINE_CHARS with an ellipsis.
export function printable(line: string): string {
  let s = line.length > SHOWN_LINE_CHARS ? `${line.slice(0, SHOWN_LINE_CHARS - 1)}…` : line;
  s = s.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (c) => {
    const n = c.charCodeAt(0);
    if (n === 9) return ' ';
    if (n < 0x20) return `^${String.fromCharCode(n + 64)}`;
    if (n === 0x7f) return '^?';
    return n < 0x100 ? `\\x${n.toString(16)}` : `\\u${n.toString(16)}`;
  });
  return s;
}

// What a watcher sees for the terminal repair (repairLine).
export const REPAIR_SHOWN = `${DIM}[terminal settings restored]${UNDIM}`;
