// The relay's own lines in exec replies that name a job: how to wait for it, type into it, look at
// it and stop it, ready to paste. Scripts and agents parse the first words of these lines, so
// their openings are fixed: "still running as job N in session S after T s;" and
// "job N is waiting for input".
import { DEFAULT_SESSION } from '../../protocol/session-name';
import type { Job } from '../jobs/job';
import type { BusyInfo } from '../session/session';

// A request line for the session, ready to paste: printf '#!session S\n#!wait 3\n' | nc …
export function pasteable(session: string, directive: string, connectHint: string): string {
  const sess = session === DEFAULT_SESSION ? '' : `#!session ${session}\\n`;
  // printf reads backslashes in its format: a `#!send` escape must reach the daemon as written.
  const text = directive.replace(/\\/g, '\\\\').replace(/'/g, `'\\''`);
  return `printf '${sess}${text}\\n' | ${connectHint}`;
}

// The four ways out of a job that is still running.
export function jobHandles(session: string, job: Job, connectHint: string, which = ['wait', 'type', 'look', 'stop']): string {
  const all: Record<string, string> = {
    wait: `wait: ${pasteable(session, `#!wait ${job.id}`, connectHint)}`,
    type: `type: ${pasteable(session, '#!send TEXT', connectHint)}`,
    look: `look: ${pasteable(session, '#!screen', connectHint)}`,
    stop: `stop: ${pasteable(session, `#!kill ${job.id}`, connectHint)}`,
  };
  return which.map((w) => all[w]).join('; ');
}

// "still running as job N in session S after T s; wait: …; type: …; look: …; stop: …"
export function stillRunning(session: string, job: Job, afterMs: number, connectHint: string): string {
  return `still running as job ${job.id} in session ${session} after ${formatSeconds(afterMs)} s; ${jobHandles(session, job, connectHint)}`;
}

// "still running as job N in session S after T s; the daemon is being upgraded …; wait: …": a reply
// cut short by an upgrade keeps the opening that scripts and agents already handle.
export function handedOver(session: string, job: Job, afterMs: number, connectHint: string): string {
  const clause = job.state === 'queued' ? 'the job, still queued, will run in the new one' : 'the job continues in the new one';
  return `still running as job ${job.id} in session ${session} after ${formatSeconds(afterMs)} s; the daemon is being upgraded and ${clause}; ${jobHandles(session, job, connectHint)}`;
}

// "job N is waiting for input (echo off); prompt: "Password:"; answer: …; look: …; stop: …"
export function waitingForInput(session: string, job: Job, connectHint: string): string {
  const w = job.waiting;
  const echo = w?.fullScreen ? ' in a full-screen program' : w?.echoOff ? ' with echo off (a password prompt?)' : '';
  const prompt = JSON.stringify(w?.prompt ?? '');
  const answer = `answer: ${pasteable(session, '#!send TEXT\\n', connectHint)}`;
  return `job ${job.id} is waiting for input${echo}; prompt: ${prompt}; ${answer}; ${jobHandles(session, job, connectHint, ['look', 'stop'])}`;
}

// Seconds with at most one decimal: "3", "0.5", "600".
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

// "`make test` since 2026-…Z (12 s)"
export function describeBusy(b: BusyInfo): string {
  const job = b.job === null ? '' : `job ${b.job}: `;
  return `${job}\`${b.what}\` since ${b.since.toISOString()} (${Math.round((Date.now() - b.since.getTime()) / 1000)} s)`;
}
