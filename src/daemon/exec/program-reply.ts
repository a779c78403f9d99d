// Requests to a program session (`pty-relay new NAME -- CMD`: a REPL, an AI CLI, an editor), which
// has no shell and no jobs: `#!screen` shows its screen and whether it waits for input; `#!send`
// types into it and waits until it settles (waits for input again, by the kernel facts and quiet
// rule a job's watch uses, jobs/quiet-probe.ts; or ends; or the request's timeout passes), then
// shows what changed on its screen. Commands, `#!wait`, `#!jobs`, `#!output` and `#!kill` are
// refused with what works instead.
import { STATUS_RELAY_ERROR, STATUS_TIMEOUT, type TrailerFields } from '../../protocol/exec-text';
import { decodeSendText } from '../jobs/send-text';
import type { InputWait } from '../jobs/job';
import { QuietProbe } from '../jobs/quiet-probe';
import { probeInputWait } from '../jobs/input-probe';
import type { ScreenText } from '../mirror/mirror';
import type { Session } from '../session/session';
import { ENTER, formatSeconds, sessionNote } from './hints';
import { relayError, type Outcome } from './job-reply';
import { screenReply } from './queries';
import type { Reply } from './reply';
import { newRows } from './screen-diff';
import { screenWindow } from './screen-window';

export interface ProgramAsk {
  reply: Reply;
  session: Session;
  timeoutMs: number; // 0: none
}

// What a request asks of a program session: the query's kind, `#!kill`, or 'command' (script text).
export type ProgramKind = 'screen' | 'send' | 'kill' | 'wait' | 'jobs' | 'output' | 'command';

// Output this recent means the program is working (as QuietProbe's rule), for a one-off look.
const QUIET_MS = 250;

// Answers one request to a program session; `text`: `#!send`'s text.
export async function programRequest(a: ProgramAsk, kind: ProgramKind, text = ''): Promise<Outcome> {
  const { reply, session } = a;
  const name = session.name;
  const what = `\`${session.command}\``;
  switch (kind) {
    case 'screen': {
      const t = session.terminal();
      const waiting = t !== null && session.audience.idleMs >= QUIET_MS && probeInputWait(t.pid, t.pts, t.masterFd);
      const state = t === null ? 'has ended' : waiting ? 'is waiting for input' : 'is running';
      return screenReply(reply, session, { text: `the program ${what} ${state}`, fields: { program: session.command, state: waiting ? 'input' : 'running' } });
    }
    case 'send':
      return send(a, text);
    case 'kill':
      return relayError(reply, `session "${name}" runs the program ${what}, which has no jobs to stop; end the session: pty-relay kill ${name}; or type its quit keys: #!send TEXT${ENTER}; Ctrl-C: #!send \\x03${sessionNote(name)}`);
    default:
      return relayError(reply, `session "${name}" runs the program ${what}, not a shell: it takes no commands and has no jobs; look at it: #!screen; type into it: #!send TEXT${ENTER}${sessionNote(name)}`);
  }
}

type Settled = { kind: 'input'; wait: InputWait } | { kind: 'ended' } | { kind: 'timeout' } | { kind: 'gone' };

// `#!send TEXT`: types it, waits until the program settles, then replies with what changed on its
// screen and one line that says how the program stands and what to do next.
async function send(a: ProgramAsk, text: string): Promise<Outcome> {
  const { reply, session } = a;
  const decoded = decodeSendText(text);
  if (!decoded.ok) return relayError(reply, decoded.message);
  const t = session.terminal();
  if (t === null) return relayError(reply, `the program of session "${session.name}" is not running`);
  const audience = session.audience;
  // The screen as the keystrokes find it: asked for before they are typed (the mirror answers in order).
  const before = audience.screenText();
  const started = Date.now();
  const cleanups: Array<() => void> = [];
  const settled = new Promise<Settled>((resolve) => {
    const probe = new QuietProbe(t, {
      watching: () => true,
      reported: () => false,
      ended: () => undefined,
      // Output while its prompt was read: the program went back to work, judge again.
      found: (wait, quiet) => quiet && resolve({ kind: 'input', wait }),
    });
    cleanups.push(() => probe.stop(), audience.watchOutput(() => probe.output()));
    cleanups.push(audience.watchEnd(() => resolve({ kind: 'ended' })));
    const gone = (): void => resolve({ kind: 'gone' });
    reply.socket.once('close', gone);
    cleanups.push(() => reply.socket.off('close', gone));
    if (a.timeoutMs > 0) {
      const timer = setTimeout(() => resolve({ kind: 'timeout' }), a.timeoutMs);
      cleanups.push(() => clearTimeout(timer));
    }
  });
  session.type(decoded.bytes);
  const end = await settled;
  for (const fn of cleanups) fn();
  if (end.kind === 'gone') return { status: STATUS_RELAY_ERROR, reason: 'error', fields: {} };
  showChanges(reply, await audience.screenText(), await before);
  return standing(a, end, Date.now() - started);
}

// The rows the keystrokes changed: a full-screen program's window around the cursor (screen-window.ts),
// a line-mode program's new rows as they are (screen-diff.ts).
function showChanges(reply: Reply, after: ScreenText, before: ScreenText): void {
  if (after.rows.length === 0) return;
  if (after.altScreen) {
    const shown = screenWindow(after, before);
    const nl = shown.indexOf('\n') + 1;
    reply.note(Buffer.from(shown.slice(0, nl)));
    reply.write(Buffer.from(shown.slice(nl)));
    return;
  }
  const rows = newRows(after, before).rows;
  while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop(); // the cursor's row, left blank
  if (rows.length > 0) reply.write(Buffer.from(`${rows.join('\n')}\n`));
}

// The last line: waiting for input (its prompt), still running after T s, or ended with its status.
function standing(a: ProgramAsk, end: Exclude<Settled, { kind: 'gone' }>, elapsedMs: number): Outcome {
  const { reply, session } = a;
  const name = session.name;
  const what = `the program \`${session.command}\` in session ${name}`;
  const fields: TrailerFields = { session: name, program: session.command };
  const quit = `end it: pty-relay kill ${name} (or #!send its quit keys)`;
  if (end.kind === 'ended') {
    const exit = session.audience.exit;
    const status = exit === null || (exit.signal === 0 && exit.status < 0) ? STATUS_RELAY_ERROR : exit.signal !== 0 ? 128 + exit.signal : exit.status;
    const how = exit === null ? 'ended' : exit.signal !== 0 ? `was killed by signal ${exit.signal}` : exit.status < 0 ? 'ended (exit status unknown)' : `ended with exit status ${exit.status}`;
    reply.notice(`${what} ${how}; the session has ended with it`);
    return { status, reason: 'exit', fields };
  }
  if (end.kind === 'input') {
    const w = end.wait;
    const echo = w.fullScreen ? ' in a full-screen program' : w.echoOff ? ' with echo off (a password prompt?)' : '';
    const prompt = w.prompt ? `; prompt: ${JSON.stringify(w.prompt)}` : '';
    reply.notice(`${what} is waiting for input${echo}${prompt}; type: #!send TEXT${ENTER}; look: #!screen; ${quit}${sessionNote(name)}`);
    return { status: STATUS_TIMEOUT, reason: 'input', fields: { ...fields, prompt: w.prompt, echo: w.echoOff ? 'off' : 'on' } };
  }
  reply.notice(`${what} is still running after ${formatSeconds(elapsedMs)} s (not waiting for input); look: #!screen; type: #!send TEXT${ENTER}; interrupt: #!send \\x03; ${quit}${sessionNote(name)}`);
  return { status: STATUS_TIMEOUT, reason: 'running', fields };
}
