// What a desktop notification says about an event, and the terminal escapes that raise one (OSC 9,
// as iTerm2, WezTerm, Windows Terminal and foot show it; OSC 777, as kitty, foot and VTE-based
// terminals do). Pure. An event's text comes from the server's terminal (a prompt, a command), so
// control characters are removed before it goes near the laptop's terminal or a notifier.
import type { RelayEvent } from '../../protocol/events';

export interface Note {
  title: string;
  body: string;
}

// A notification can show about this much; the rest is cut with an ellipsis.
const BODY_CHARS = 200;

// C0 and C1 controls and DEL: an escape in a prompt must not reach the laptop's terminal.
export function plain(text: string, max = BODY_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

const secs = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

// The notification for `e`.
export function noteFor(e: RelayEvent): Note {
  const s = plain(e.session ?? '', 64);
  switch (e.type) {
    case 'input':
      return { title: `${s}: waiting for input${e.echoOff ? ' (hidden)' : ''}`, body: plain(e.prompt) || '(no prompt text)' };
    case 'job-finished': {
      const ok = e.state === 'done' && e.status === 0;
      const how = ok ? 'finished' : e.state === 'done' ? `failed (status ${e.status ?? '?'})` : e.state;
      return { title: `${s}: job ${e.job} ${how} after ${secs(e.durationMs)}`, body: plain(e.command) };
    }
    case 'job-started':
      return { title: `${s}: job ${e.job} started`, body: plain(e.command) };
    case 'session-ended':
      return { title: `${s}: session ended`, body: e.reason };
    case 'session-started':
      return { title: `${s}: session started`, body: plain(e.command) };
    case 'bell':
      return { title: `${s}: bell`, body: '' };
    case 'client-attached':
    case 'client-detached':
      return { title: `${s}: client ${e.type === 'client-attached' ? 'attached' : 'detached'}`, body: `${e.clients} attached` };
    case 'dropped':
      return { title: 'pty-relay', body: `${e.count} event(s) were dropped` };
  }
}

// OSC 9 and OSC 777 for `n`: each terminal shows the one it knows and ignores the other.
export function oscNotification(n: Note): string {
  const title = plain(n.title).replace(/;/g, ',');
  const body = plain(n.body).replace(/;/g, ',');
  return `\x1b]9;${body === '' ? title : `${title}: ${body}`}\x07\x1b]777;notify;${title};${body}\x07`;
}
