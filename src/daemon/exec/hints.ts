// The relay's own lines in exec replies that name a job: how to wait for it, type into it, look at
// it and stop it. Scripts and agents parse the first words of these lines, so their openings are
// fixed: "still running as job N in session S after T s;" and "job N is waiting for input".
//
// A hint is the directive line alone (`#!wait 4`), never a command line: the daemon cannot know the
// port or host its client used (a tunnel's local end is often another port), nor its nc's flags,
// and pasting the agent's text into a printf format corrupts `%` and backslashes. How to send a
// directive is the client's own business (the README's agent block: `printf '%s\n' '#!wait 4' | nc
// -N localhost PORT`, where the text is an argument, not a format). Enter is `\r` everywhere, as
// the Enter key sends it (the terminal turns it into a newline for programs that read lines).
import { DEFAULT_SESSION } from '../../protocol/session-name';
import { preview, type Job } from '../jobs/job';
import type { BusyInfo } from '../session/session';

// What to type for Enter in `#!send` text, in every hint and the README.
export const ENTER = '\\r';

// "; first line of each: #!session S" for sessions other than the default: said once per line.
export function sessionNote(session: string): string {
  return session === DEFAULT_SESSION ? '' : `; first line of each: #!session ${session}`;
}

// The four ways out of a job that is still running.
export function jobHandles(session: string, job: Job, which = ['wait', 'type', 'look', 'stop']): string {
  const all: Record<string, string> = {
    wait: `wait: #!wait ${job.id}`,
    type: `type: #!send TEXT${ENTER}`,
    look: 'look: #!screen',
    stop: `stop: #!kill ${job.id}`,
  };
  return `${which.map((w) => all[w]).join('; ')}${sessionNote(session)}`;
}

// "still running as job N in session S after T s; wait: #!wait N; type: …; look: …; stop: …"
export function stillRunning(session: string, job: Job, afterMs: number): string {
  return `still running as job ${job.id} in session ${session} after ${formatSeconds(afterMs)} s; ${jobHandles(session, job)}`;
}

// "still running as job N in session S after T s; the daemon is being upgraded …; wait: …": a reply
// cut short by an upgrade keeps the opening that scripts and agents already handle.
export function handedOver(session: string, job: Job, afterMs: number): string {
  const clause = job.state === 'queued' ? 'the job, still queued, will run in the new one' : 'the job continues in the new one';
  return `still running as job ${job.id} in session ${session} after ${formatSeconds(afterMs)} s; the daemon is being upgraded and ${clause}; ${jobHandles(session, job)}`;
}

// "job N is waiting for input (echo off); prompt: "Password:"; answer: #!send TEXT\r; look: …; stop: …"
// (no prompt part when the screen shows none where the cursor stands, as with top: mirror.ts).
export function waitingForInput(session: string, job: Job): string {
  const w = job.waiting;
  const echo = w?.fullScreen ? ' in a full-screen program' : w?.echoOff ? ' with echo off (a password prompt?)' : '';
  const prompt = w?.prompt ? `; prompt: ${JSON.stringify(w.prompt)}` : '';
  return `job ${job.id} is waiting for input${echo}${prompt}; answer: #!send TEXT${ENTER}; ${jobHandles(session, job, ['look', 'stop'])}`;
}

// "job 2 (`make test`) in session side ended 41 s ago with exit status 1": which job, where, what it
// ran and how it ended, for a question about a job that is over (a `#!wait 2` sent without its
// `#!session` line finds the default session's job 2: this says so).
export function endedSummary(session: string, job: Job, now = Date.now()): string {
  const ago = job.endedAt === null ? '' : ` ${formatAgo(now - job.endedAt.getTime())} ago`;
  const status = `exit status ${job.status ?? 'unknown'}`;
  let how = `ended${ago} with ${status}`;
  if (job.killedBy !== null) how = `was stopped with ${job.killedBy} (#!kill)${ago}, ${status}`;
  else if (job.state === 'failed') how = `failed${ago}: ${job.endMessage ?? 'the job failed'}`;
  else if (job.endMessage !== null) how = `ended${ago}: ${job.endMessage}`;
  return `job ${job.id} (\`${preview(job.command)}\`) in session ${session} ${how}`;
}

// "41 s", "12 min", "3 h": how long ago, as a person would say it.
export function formatAgo(ms: number): string {
  if (ms < 120_000) return `${formatSeconds(Math.max(0, ms))} s`;
  if (ms < 120 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

// Seconds with at most one decimal: "3", "0.5", "600".
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

// "running job 3: `make test` since …", or "with 2 queued requests not started yet (…)": what a
// busy session is doing, after "busy ".
export function busyDoing(b: BusyInfo): string {
  return `${b.queued === undefined ? 'running' : 'with'} ${describeBusy(b)}`;
}

// "`make test` since 2026-…Z (12 s)"
export function describeBusy(b: BusyInfo): string {
  const age = `${b.since.toISOString()} (${Math.round((Date.now() - b.since.getTime()) / 1000)} s)`;
  if (b.queued !== undefined) return `${b.what} not started yet (the first since ${age})`;
  const job = b.job === null ? '' : `job ${b.job}: `;
  return `${job}\`${b.what}\` since ${age}`;
}

// The one name among `names` that `name` is one typo away from: two neighbouring letters swapped
// (`buidl`, `biuld`), or a letter added or left out (`buil`, `buildd`), for names of four letters
// or more; null when none or several are. A changed letter or digit does not count: names such as
// `par-a`/`par-b` or `tail0`/`tail1` are made on purpose.
export function nearName(name: string, names: string[]): string | null {
  if (name.length < 4) return null;
  const near = names.filter((n) => n !== name && n.length >= 4 && oneTypo(name, n));
  return near.length === 1 ? (near[0] as string) : null;
}

const LETTER = /^[A-Za-z]$/;

function oneTypo(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    const [x, y] = [a[i] ?? '', a[i + 1] ?? ''];
    return LETTER.test(x) && LETTER.test(y) && x !== y && x === b[i + 1] && y === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return LETTER.test(long[i] ?? '') && short.slice(i) === long.slice(i + 1);
}
