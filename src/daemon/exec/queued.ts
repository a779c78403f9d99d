// A request that has to wait behind another job is never silent: it is told so at once (after
// GRACE_MS), in one `pty-relay:` line naming the job it waits for, what that job is doing and the
// ways out. The line grows a dot every DOT_MS while the request waits and ends when its job starts.
//
// Each of those writes also finds out whether the client is still there: bytes sent to a client
// that has gone come back as a reset, and the next write fails (Reply.reaches). Just before the job
// would start, the line's end is written and the client asked once more (Job.claim); a client that
// has gone by then gets its job dropped unrun.
import type { Job } from '../jobs/job';
import type { Session } from '../session/session';
import { preview } from '../jobs/job';
import { formatSeconds, sessionNote } from './hints';
import type { Reply } from './reply';

// A dot this often: a client that left (through a tunnel too) is noticed within about this long,
// and an agent watching a slow queue sees it move, for a few bytes a minute.
const DOT_MS = 5_000;
// The line waits this long first: requests sent together (an agent's parallel calls, a script's
// loop) mostly wait for each other a few ms, and their replies stay exactly their output. An
// agent's call lasts seconds, so 0.2 s is still "at once".
const GRACE_MS = 200;

// Tells the client its job waits (unless `silent`: a `#!raw` reply carries only the command's
// bytes) and hooks the start-time check. Returns the function that stops it, which says whether
// the line was shown.
export function waitInLine(reply: Reply, session: Session, job: Job, timeoutMs: number, silent: boolean): () => boolean {
  let timer: NodeJS.Timeout | null = null;
  let shown = false;
  const stop = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const dot = (): void => {
    if (job.state !== 'queued') return stop();
    const { running, queued } = session.ahead(job);
    // Between two jobs (the shell restoring the terminal, say) the wait is a moment: look again.
    if (!shown && running === null && queued.length === 0) timer = setTimeout(dot, GRACE_MS);
    else {
      reply.write(Buffer.from(shown ? '.' : `pty-relay: ${waitingLine(session, job, timeoutMs)}; waiting`));
      shown = true;
      timer = setTimeout(dot, DOT_MS);
    }
    timer.unref();
  };
  if (!silent) {
    timer = setTimeout(dot, GRACE_MS);
    timer.unref();
  }
  job.claim = () => {
    stop();
    if (shown) reply.write(Buffer.from('\n'));
    return reply.reaches();
  };
  return () => {
    stop();
    job.claim = null;
    return shown;
  };
}

// "job 4 waits for job 3 in session default (`make`, running for 12 s); ways out: …"
export function waitingLine(session: Session, job: Job, timeoutMs: number): string {
  const { running, queued } = session.ahead(job);
  const first = running ?? queued[0];
  if (first === undefined) return `job ${job.id} waits for session ${session.name}'s shell`;
  const more = running !== null && queued.length > 0 ? ` and ${queued.length} queued job(s)` : running === null && queued.length > 1 ? ` and ${queued.length - 1} more` : '';
  const when = more === '' ? 'it ends' : 'they end';
  const runs = timeoutMs > 0 ? `it runs when ${when}, if within ${formatSeconds(timeoutMs)} s (#!timeout)` : `it runs when ${when}`;
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
