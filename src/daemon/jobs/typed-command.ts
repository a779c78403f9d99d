// A command a person typed in the terminal (not an exec job's), as session lists show it: `ls`,
// MCP, the web page's list and history, events. The shell reports each line a person enters with
// Return in a T mark (marks.ts, shell-integration.ts); the runner gathers those lines until the C
// mark that starts the command. The text is never logged, and is kept only as shown here: its
// first line, control and invisible characters made visible, cut to TYPED_SHOWN_CHARS.
import type { MarkEvent } from '../shell/marks';
import { printable } from '../shell/echo-swap';
import type { Job } from './job';

// What a typed command is called when the shell did not say (an older shell, a line ended by C-j).
export const TERMINAL_JOB = 'a command typed in the terminal';
// Room for a command in a session list's row; the rest is cut.
export const TYPED_SHOWN_CHARS = 80;

export class TypedLines {
  private first: string | null = null;
  private more = 0;

  // Sees every mark: `idle`, no job of ours runs (a T mark then is a person's line). True for a
  // T mark, which the runner has nothing else to do with.
  mark(ev: MarkEvent & { type: 'mark' }, idle: boolean): boolean {
    if (ev.kind === 'A') this.clear();
    if (ev.kind !== 'T') return false;
    const t = ev.typed;
    if (!idle || t === undefined) return true;
    if (this.first === null) {
      this.first = t.text;
      this.more = t.more;
    } else this.more += 1 + t.more; // a command continued on more lines (PS2)
    return true;
  }

  // The command the lines since the prompt make up, as shown (null when none was reported).
  take(): string | null {
    const first = this.first;
    const more = this.more;
    this.clear();
    return first === null ? null : typedCommand(first, more);
  }

  clear(): void {
    this.first = null;
    this.more = 0;
  }
}

// A typed line as shown: printable, trimmed, cut, and how many lines follow it.
export function typedCommand(line: string, more: number): string | null {
  let s = printable(line.trim());
  if (s === '') return null;
  if (s.length > TYPED_SHOWN_CHARS) s = `${s.slice(0, TYPED_SHOWN_CHARS - 1)}…`;
  return more > 0 ? `${s} (+${more} line${more === 1 ? '' : 's'})` : s;
}

// A job's command in a list: a typed one the shell did not report as `(a command typed in the
// terminal)`, any other as it is.
export function listedCommand(job: Job): string {
  return job.spec.origin === 'terminal' && job.command === TERMINAL_JOB ? `(${TERMINAL_JOB})` : job.command;
}
