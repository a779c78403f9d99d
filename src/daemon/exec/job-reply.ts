// The reply about one job: its output (all of it, what no earlier reply delivered, or what a
// `#!send` provoked), then one line saying how it stands: its exit status, "still running as job N
// …", or "job N is waiting for input …".
import { STATUS_RELAY_ERROR, STATUS_TIMEOUT, type EndReason, type TrailerFields } from '../../protocol/exec-text';
import type { Logger } from '../../log';
import type { Job } from '../jobs/job';
import type { Session } from '../session/session';
import { followJob, limitTail, type FollowEnd } from './follow';
import { screenWindow } from './screen-window';
import { settleScreen } from './settle';
import { busyDoing, endedSummary, formatSeconds, handedOver, sessionNote, stillRunning, waitingForInput } from './hints';
import type { Reply } from './reply';

export interface Outcome {
  status: number;
  reason: EndReason;
  fields: TrailerFields;
  // Marks the output this reply carried as delivered; called once the reply reached its client.
  commit?: () => void;
  // Called instead when the reply did not surely reach its client (it left early): the next reply
  // that sends this output again says that it repeats it (sayRepeat).
  lost?: () => void;
}

export interface JobReplyContext {
  reply: Reply;
  session: Session;
  trailer: boolean; // the client reads a trailer: no "exit status" line
  log: Logger;
}

export interface JobReplyOptions {
  from: number;
  timeoutMs: number;
  limit: number | undefined;
  byDefault?: boolean; // `limit` is REPLY_BYTES because the request set none: the left-out line says so
  pace: boolean;
  send: Buffer | null; // `#!send`: type these bytes, reply with what they provoke until quiet
  // Relay lines about a job that ended, said before its exit status (request-notes.ts).
  notes?: (job: Job) => string[];
  // Relay lines said as the job starts, before its output (waited-for.ts).
  atStart?: () => string[];
}

// Bytes of a job's output a reply without a trailer carries when the request set no `#!limit`
// (`#!limit 0`: all): its head and its tail, the middle left out with one line that says how to
// fetch it. 30,000 is Claude Code's own cap on a Bash tool result (and the MCP tools' default): a
// `seq 1 200000` once put 1.3 MB into an agent's context. Clients with a trailer bound by themselves.
export const REPLY_BYTES = 30_000;

// What a left-out line adds when the bound is the default one.
export const DEFAULT_BOUND_NOTE = `; replies carry at most ${REPLY_BYTES} bytes unless #!limit says otherwise (#!limit 0: all)`;

// "pty-relay: error: MESSAGE" and the outcome of a request the relay refused.
export function relayError(reply: Reply, message: string): Outcome {
  reply.notice(`error: ${message}`);
  return { status: STATUS_RELAY_ERROR, reason: 'error', fields: {} };
}

// Quiet time after which a `#!send` reply ends: most programs answer a keystroke within
// milliseconds; a slower answer starts the next reply about the job (`#!wait`, `#!send`).
export const SEND_QUIET_MS = 300;
// How long after a `#!send` the terminal's own output (a full-screen program drawing, which the
// job's cleaned output leaves out) keeps the reply from counting as quiet: long enough for a
// loaded machine's redraw, short enough that a program animating on its screen ends the reply.
export const SEND_DRAWING_MS = 2000;

// Streams `job` into the reply and ends with the line that says how it stands. A `#!send` reply
// follows without writing, then shows what the keystrokes provoked: a full-screen program's screen
// around the cursor and the rows they changed (settle.ts), else the program's output from `from`
// (the output no reply showed yet, then the answer); and the job's status when it ended.
export function replyToJob(c: JobReplyContext, job: Job, o: JobReplyOptions): Promise<Outcome> {
  job.replies++;
  return followAndTell(c, job, o).finally(() => job.replies--);
}

async function followAndTell(c: JobReplyContext, job: Job, o: JobReplyOptions): Promise<Outcome> {
  const { reply } = c;
  const started = Date.now();
  // A previous shell that ended is told to the job's first reader, as soon as the job starts.
  const tellStart = (): boolean => {
    if (job.state === 'queued') return false;
    if (job.startNotice !== null && o.from === 0) reply.notice(job.startNotice);
    if (job.startedAt !== null && o.from === 0) for (const line of o.atStart?.() ?? []) reply.notice(line);
    return true;
  };
  const untell = tellStart() ? null : job.watch(() => tellStart() && untell?.());
  const hold = o.send !== null;
  const headBytes = o.limit === undefined ? null : Math.ceil(o.limit / 2);
  const deadline = o.timeoutMs > 0 ? started + o.timeoutMs : Infinity;
  const follow = (from: number): ReturnType<typeof followJob> =>
    followJob(job, reply, {
      from,
      timeoutMs: deadline === Infinity ? 0 : Math.max(1, deadline - Date.now()),
      pace: o.pace && headBytes === null,
      headBytes: headBytes === null || hold ? null : Math.max(0, o.from + headBytes - from),
      quietMs: hold ? SEND_QUIET_MS : null,
      stopOnInput: !hold,
      hold,
      terminalOutput: { watch: (fn) => c.session.audience.watchOutput(fn), until: started + SEND_DRAWING_MS },
    });
  const ringFrom = c.session.audience.ring.head;
  if (!hold) sayRepeat(reply, job, o.from);
  let pending = follow(o.from);
  // The screen as the keystrokes find it (asked for before they are typed, and the mirror answers
  // in order): the reply shows the rows they changed.
  const before = o.send !== null ? c.session.audience.screenText() : null;
  if (o.send !== null) c.session.type(o.send);
  let f = await pending;
  // A `#!send` reply ends once the program is quiet and waits for input again (or ends): a
  // program that is still working after a quiet spell is followed further, up to the timeout.
  while (f.end === 'quiet' && job.live && !(await c.session.checkInput())) {
    pending = follow(f.reached);
    f = await pending;
  }
  const lost = (): void => {
    if (!hold) job.offered = Math.max(job.offered, f.reached);
  };
  if (f.end === 'gone') {
    lost();
    return { status: STATUS_RELAY_ERROR, reason: 'error', fields: {} };
  }
  // The reply ends while the job runs: a prompt the cleaner holds is part of what it shows.
  if (job.live) c.session.flushHeld(job);
  const screen = job.live && f.end !== 'handover' && (hold || job.state === 'input') ? await settleScreen(c.session, job, ringFrom, hold) : null;
  let reached = hold ? o.from : f.reached;
  if (screen !== null) {
    // The program's drawing stays in the job's store (#!output); the reply shows its screen.
    reached = job.head;
    // Its first line is the relay's (which rows, where the cursor is); the rows are the answer.
    const shown = screenWindow(screen, before === null ? null : await before);
    const nl = shown.indexOf('\n') + 1;
    reply.note(Buffer.from(shown.slice(0, nl)));
    reply.write(Buffer.from(shown.slice(nl)));
  } else {
    // A `#!send` reply writes only now: output an earlier reply wrote to a vanished client first says so.
    if (hold) sayRepeat(reply, job, reached);
    if (headBytes === null) reached = writeRange(reply, job, reached, job.head);
    else {
      if (hold) reached = writeRange(reply, job, reached, Math.min(job.head, o.from + headBytes));
      reached = writeTail(reply, c.session.name, job, reached, (o.limit as number) - headBytes, job.head, o.byDefault === true ? DEFAULT_BOUND_NOTE : '');
    }
  }
  const commit = (): void => {
    if (o.from <= job.delivered) job.delivered = Math.max(job.delivered, reached);
  };
  const outcome = await standing(c, job, f.end, Date.now() - started, hold, o.notes);
  return { ...outcome, commit, lost: () => void (job.offered = Math.max(job.offered, reached)) };
}

// The last line: how the job stands now.
async function standing(c: JobReplyContext, job: Job, end: FollowEnd, elapsedMs: number, sent: boolean, notes?: (job: Job) => string[]): Promise<Outcome> {
  const { reply, session } = c;
  // A sandbox cap hit while the job ran (a fork refused, a process OOM-killed) is said in words.
  for (const hit of session.capHits()) reply.notice(hit);
  // Only a trailer carries the fields (a /proc lookup saved on every plain reply).
  const cwd = c.trailer ? session.info().cwd : null;
  const fields: TrailerFields = { job: String(job.id), session: session.name, ...(cwd === null ? {} : { cwd }), bytes: String(job.head) };
  // A job that runs on: since when (the MCP server says how long it has run).
  if (c.trailer && job.live && job.startedAt !== null) fields.since = job.startedAt.toISOString();
  if (!job.live) {
    if (job.state === 'done' && notes !== undefined) for (const note of notes(job)) reply.notice(note);
    return ended(c, job, fields, sent);
  }
  if (end === 'handover') {
    reply.notice(handedOver(session.name, job, elapsedMs));
    return { status: STATUS_TIMEOUT, reason: 'running', fields };
  }
  if (job.state === 'input') {
    reply.notice(waitingForInput(session.name, job));
    fields.prompt = job.waiting?.prompt ?? '';
    fields.echo = job.waiting?.echoOff ? 'off' : 'on';
    return { status: STATUS_TIMEOUT, reason: 'input', fields };
  }
  if (end === 'quiet') {
    reply.notice(`job ${job.id} is still running; more output: #!wait ${job.id}; stop: #!kill ${job.id}${sessionNote(session.name)}`);
    return { status: STATUS_TIMEOUT, reason: 'running', fields };
  }
  if (job.state === 'queued') {
    const b = session.busy();
    session.cancel(job);
    reply.notice(`timed out after ${formatSeconds(elapsedMs)} s waiting for session "${session.name}"${b ? `, busy ${busyDoing(b)}` : ''}; the request was not run`);
    return { status: STATUS_TIMEOUT, reason: 'timeout', fields: {} };
  }
  reply.notice(stillRunning(session.name, job, elapsedMs));
  return { status: STATUS_TIMEOUT, reason: 'running', fields };
}

// How the job ended. A `#!send` reply says so even at status 0: the agent typed into a program
// and must learn that it is gone (a trailer carries the status instead).
function ended(c: JobReplyContext, job: Job, fields: TrailerFields, sent: boolean): Outcome {
  const { reply } = c;
  job.endTold = true;
  if (job.killedBy !== null) reply.notice(`job ${job.id} was stopped with ${job.killedBy} (#!kill)`);
  if (job.state === 'failed') {
    reply.notice(job.endMessage ?? 'the job failed');
    return { status: STATUS_RELAY_ERROR, reason: 'error', fields };
  }
  const status = job.status ?? STATUS_RELAY_ERROR;
  if (job.endMessage !== null) {
    reply.notice(job.endMessage);
    return { status, reason: 'shell-exit', fields };
  }
  if (sent && !c.trailer) reply.notice(`job ${job.id} ended with exit status ${status}`);
  else if (status !== 0 && !c.trailer) reply.notice(`exit status ${status}`);
  return { status, reason: 'exit', fields };
}

// `#!wait` on a job that ended and whose output was all delivered before: one line that says which
// job it was, how it ended and how to see its output again (a trailer also names the job).
export function alreadyEnded(c: JobReplyContext, job: Job): Outcome {
  const again = job.head === 0 ? 'it printed nothing' : `all ${job.head} bytes of its output were delivered before; again: #!output ${job.id}`;
  c.reply.notice(`${endedSummary(c.session.name, job)}; ${again}${sessionNote(c.session.name)}`);
  job.endTold = true;
  const fields: TrailerFields = c.trailer ? { job: String(job.id), session: c.session.name, bytes: String(job.head) } : {};
  if (job.state === 'failed') return { status: STATUS_RELAY_ERROR, reason: 'error', fields };
  return { status: job.status ?? STATUS_RELAY_ERROR, reason: job.endMessage === null ? 'exit' : 'shell-exit', fields };
}

// Writes the job's output from `from` to `to` within `limit` bytes, as `#!limit` does (the head,
// then a line saying what was left out, then the tail); returns the offset reached.
// `more`: said in the left-out line (DEFAULT_BOUND_NOTE).
export function writeHeadTail(reply: Reply, session: string, job: Job, from: number, to: number, limit: number, more = ''): number {
  const headEnd = writeRange(reply, job, from, Math.min(to, from + Math.ceil(limit / 2)));
  return writeTail(reply, session, job, headEnd, limit - Math.ceil(limit / 2), to, more);
}

// Writes the tail of a `#!limit` reply; returns the offset reached. Its left-out line opens with
// "N bytes left out (offsets A to B of job J's output)", which the MCP server reads (mcp/wording.ts).
function writeTail(reply: Reply, session: string, job: Job, headEnd: number, tailBytes: number, to = job.head, more = ''): number {
  const t = limitTail(job, headEnd, tailBytes, to);
  if (t.omitted !== null) {
    const [from, to] = t.omitted;
    reply.notice(`${to - from} bytes left out (offsets ${from} to ${to} of job ${job.id}'s output); fetch any range: #!output ${job.id} ${from} ${to}${more}${sessionNote(session)}`);
  }
  return writeRange(reply, job, t.from, to);
}

// Before a reply sends output from `from` again that an earlier reply wrote to a client that then
// vanished (it counted as not delivered: the relay repeats rather than loses), one line says so.
export function sayRepeat(reply: Reply, job: Job, from: number): void {
  const to = Math.min(job.offered, job.head);
  if (from >= to) return;
  reply.notice(`offsets ${from} to ${to} of job ${job.id}'s output were sent before, in a reply that may not have reached its client (it left before that reply ended); they are repeated here`);
}

// Writes the job's output from `from` to `to` as its store holds it; returns the offset reached.
export function writeRange(reply: Reply, job: Job, from: number, to: number): number {
  let pos = from;
  while (pos < to) {
    const r = job.read(pos, Math.min(1024 * 1024, to - pos));
    if (r.kind === 'gap') {
      pos = r.to;
      continue;
    }
    if (r.kind !== 'data') break;
    reply.write(r.data);
    pos += r.data.length;
  }
  return pos;
}
