// A request that has to wait behind another job is never silent, and never waits out its timeout
// behind a job that is not going to end (`tail -f`, a forgotten `sqlite3`):
//   - by default it waits only while the session's queue moves: when the job ahead of it runs on
//     for PATIENCE_MS without ending, the request is dropped unrun, and its reply says at once which
//     job holds the session, what it does and the ways on (notRun). A job that is just finishing is
//     not reported busy, and requests sent together run in turn (each job ahead ends in time).
//   - with `#!queue` it waits in line until its turn or its timeout.
// Either way a request still waiting after a moment (GRACE_MS; PATIENCE_MS by default) is told so in
// one `pty-relay:` line naming the job it waits for, what that job is doing and the ways out; the
// line grows a dot every DOT_MS while the request waits and ends when its job starts.
//
// Each of those writes also finds out whether the client is still there: bytes sent to a client
// that has gone come back as a reset, and the next write fails (Reply.reaches). Just before the job
// would start, the line's end is written and the client asked once more (Job.claim); a client that
// has gone by then gets its job dropped unrun. A dropped job never runs later.
import type { Job } from '../jobs/job';
import type { BusyInfo, Session } from '../session/session';
import { preview } from '../jobs/job';
import { ENTER, formatSeconds, sessionNote } from './hints';
import type { Reply } from './reply';

// A dot this often: a client that left (through a tunnel too) is noticed within about this long,
// and an agent watching a slow queue sees it move, for a few bytes a minute.
const DOT_MS = 5_000;
// With `#!queue` the line waits this long first: requests sent together (an agent's parallel calls,
// a script's loop) mostly wait for each other a few ms, and their replies stay exactly their
// output. An agent's call lasts seconds, so 0.2 s is still "at once".
const GRACE_MS = 200;
// Without `#!queue`: how long the job ahead may run on before the request gives up. Long enough for
// a job that is just finishing (and for a loaded machine's shell to take the next one), short
// enough that an agent hears of a busy session within its call, not at the end of its timeout.
export const PATIENCE_MS = 2_000;

export interface InLineOptions {
  timeoutMs: number;
  silent: boolean; // no waiting line: a `#!raw` reply carries only the command's bytes
  queue: boolean; // `#!queue`: wait for the turn, however long the job ahead runs (up to the timeout)
}

export interface InLine {
  // Stops watching; says whether the waiting line was shown.
  stop(): boolean;
  // What the session was busy with when the request gave up unrun (null: it did not).
  refused(): BusyInfo | null;
}

// Watches a queued `job` (see the file comment) until it starts, ends or stop() is called.
export function waitInLine(reply: Reply, session: Session, job: Job, o: InLineOptions): InLine {
  let timer: NodeJS.Timeout | null = null;
  let shown = false;
  let refused: BusyInfo | null = null;
  const since = Date.now();
  let last = session.ahead(job).running; // the job running at the last look
  const stop = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const later = (ms: number): void => {
    timer = setTimeout(look, ms);
    timer.unref();
  };
  const look = (): void => {
    if (job.state !== 'queued') return stop();
    const { running, queued } = session.ahead(job);
    if (!o.queue && running !== null && running === last) return giveUp(running);
    last = running;
    if (o.silent) return o.queue ? undefined : later(PATIENCE_MS);
    // Between two jobs (the shell restoring the terminal, say) the wait is a moment: look again.
    if ((!shown && running === null && queued.length === 0)) return later(o.queue ? GRACE_MS : PATIENCE_MS);
    reply.note(Buffer.from(shown ? '.' : `pty-relay: ${waitingLine(session, job, o)}; waiting`));
    shown = true;
    later(o.queue ? DOT_MS : Math.min(DOT_MS, PATIENCE_MS));
  };
  // Dropped unrun: its reply ends with the job's end message (job-reply.ts), which says why.
  const giveUp = (running: Job): void => {
    stop();
    refused = session.busy();
    session.cancel(job, notRun(session, job, running, Date.now() - since));
  };
  if (!(o.silent && o.queue)) later(o.queue ? GRACE_MS : PATIENCE_MS);
  job.claim = () => {
    stop();
    if (shown) reply.note(Buffer.from('\n'));
    return reply.reaches();
  };
  return {
    stop: () => {
      stop();
      job.claim = null;
      return shown;
    },
    refused: () => refused,
  };
}

// "not run: session default is busy with job 1 (`tail -f x`, running for 12 s, not waiting for
// input); this request (job 2) did NOT run and will not run later; next: …"
export function notRun(session: Session, job: Job, running: Job, waitedMs: number): string {
  const id = running.id;
  const type = running.state === 'input' ? `#!send TEXT${ENTER} (answer it)` : `#!send TEXT${ENTER} (type into it)`;
  const next = `#!wait ${id} (follow job ${id} to its end), #!kill ${id} (stop it, then send this again), ${type}, #!session NAME (another shell), #!queue on the first line (wait in line for job ${id})`;
  const idle = running.state === 'input' ? '' : ', not waiting for input';
  return `not run: session ${session.name} is busy with job ${id} (${doing(running)}${idle}); this request (job ${job.id}) waited ${formatSeconds(waitedMs)} s, did NOT run and will not run later; next: ${next}${sessionNote(session.name)}`;
}

// "job 4 waits for job 3 in session default (`make`, running for 12 s); ways out: …"
export function waitingLine(session: Session, job: Job, o: { timeoutMs: number; queue: boolean }): string {
  const { running, queued } = session.ahead(job);
  const first = running ?? queued[0];
  if (first === undefined) return `job ${job.id} waits for session ${session.name}'s shell`;
  const more = running !== null && queued.length > 0 ? ` and ${queued.length} queued job(s)` : running === null && queued.length > 1 ? ` and ${queued.length - 1} more` : '';
  const when = more === '' ? 'it ends' : 'they end';
  const within = o.timeoutMs > 0 ? `, if within ${formatSeconds(o.timeoutMs)} s (#!timeout)` : '';
  const runs = o.queue ? `it runs when ${when}${within}` : `it runs when ${when}${within}, unless a job ahead runs on for ${formatSeconds(PATIENCE_MS)} s (then it does not run; #!queue waits)`;
  const ways = `#!nowait (don't queue), #!session NAME (another shell), #!kill ${first.id} (stop job ${first.id}), #!screen (look)`;
  return `job ${job.id} waits for job ${first.id}${more} in session ${session.name} (${doing(first)}); ${runs}; ways out: ${ways}${sessionNote(session.name)}`;
}

// "`tail -f x`, running for 12 s" / "…, waiting for input for 30 s: "Password:"" / "`…`, queued".
function doing(j: Job): string {
  const what = `\`${preview(j.command)}\``;
  if (j.state === 'queued') return `${what}, queued`;
  const now = Date.now();
  const ran = `running for ${formatSeconds(now - (j.startedAt ?? j.queuedAt).getTime())} s`;
  if (j.state !== 'input') return `${what}, ${ran}`;
  const since = j.waitingSince === null ? '' : ` for ${formatSeconds(now - j.waitingSince.getTime())} s`;
  return `${what}, ${ran}, waiting for input${since}${j.waiting?.prompt ? `: ${JSON.stringify(j.waiting.prompt)}` : ''}`;
}
