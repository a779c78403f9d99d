// The event stream's vocabulary: what `pty-relay events --json` prints (one object a line), what an
// EVENT frame carries (frame.ts) and what a `serve --on-event` hook reads on its stdin. Field names
// are stable, as `docker events --format json`'s are: new fields may be added, none renamed.
// Pure and free of Node-only APIs.
//
//   every event     type, time (ISO 8601), session (null only for `dropped`)
//   session-started command (what it runs), program (true: `pty-relay new NAME -- CMD`)
//   session-ended   reason: killed | exited | idle | shutdown; status, signal (exited programs)
//   job-started     job, command (first line), origin: exec | terminal
//   job-finished    job, command, origin, state: done | failed | killed, status (null: unknown),
//                   durationMs, message (why it ended, when not by a plain exit)
//   input           job (null in a program session), prompt (the cursor's line), echoOff, fullScreen
//   bell            (the program rang the terminal bell, at most once a second per session)
//   client-attached readOnly, clients (attached now)
//   client-detached clients
//   dropped         count: events this reader lost because it read too slowly

export type EventType = 'session-started' | 'session-ended' | 'job-started' | 'job-finished' | 'input' | 'bell' | 'client-attached' | 'client-detached' | 'dropped';
export const EVENT_TYPES: readonly EventType[] = ['session-started', 'session-ended', 'job-started', 'job-finished', 'input', 'bell', 'client-attached', 'client-detached', 'dropped'];

interface Base {
  time: string;
  session: string | null;
}
export type RelayEvent = Base &
  (
    | { type: 'session-started'; command: string; program: boolean }
    | { type: 'session-ended'; reason: 'killed' | 'exited' | 'idle' | 'shutdown'; status?: number | null; signal?: number }
    | { type: 'job-started'; job: number; command: string; origin: 'exec' | 'terminal' }
    | { type: 'job-finished'; job: number; command: string; origin: 'exec' | 'terminal'; state: 'done' | 'failed' | 'killed'; status: number | null; durationMs: number; message?: string }
    | { type: 'input'; job: number | null; prompt: string; echoOff: boolean; fullScreen: boolean }
    | { type: 'bell' }
    | { type: 'client-attached'; readOnly: boolean; clients: number }
    | { type: 'client-detached'; clients: number }
    | { type: 'dropped'; count: number }
  );

// An event filter: a comma-separated list of terms, any of which lets an event through.
//   input                 waiting for input
//   failed                a job that ended with a non-zero status, failed or was killed
//   finished              any job-finished
//   finished-after=N      a job-finished that ran at least N seconds
//   bell, session, client session-*, client-* events
//   any event type        that type exactly (job-started, session-ended, ...)
//   all                   every event
export type EventFilter = (e: RelayEvent) => boolean;

const GROUPS: Record<string, (e: RelayEvent) => boolean> = {
  all: () => true,
  failed: (e) => e.type === 'job-finished' && (e.state !== 'done' || e.status !== 0),
  finished: (e) => e.type === 'job-finished',
  session: (e) => e.type === 'session-started' || e.type === 'session-ended',
  client: (e) => e.type === 'client-attached' || e.type === 'client-detached',
};

// Parses a filter; returns an error message for a term it does not know. `dropped` notices always
// pass (a reader must hear that it lost events).
export function parseEventFilter(spec: string): EventFilter | string {
  const tests: Array<(e: RelayEvent) => boolean> = [];
  for (const raw of spec.split(',')) {
    const term = raw.trim();
    if (term === '') continue;
    const after = /^finished-after=(\d+(?:\.\d+)?)$/.exec(term);
    if (after !== null) {
      const ms = Number(after[1]) * 1000;
      tests.push((e) => e.type === 'job-finished' && e.durationMs >= ms);
    } else if (GROUPS[term] !== undefined) tests.push(GROUPS[term]);
    else if ((EVENT_TYPES as readonly string[]).includes(term)) tests.push((e) => e.type === term);
    else return `unknown event filter "${term}" (use input, failed, finished, finished-after=SECONDS, bell, session, client, all or an event type)`;
  }
  if (tests.length === 0) return 'an empty event filter lets nothing through';
  return (e) => e.type === 'dropped' || tests.some((t) => t(e));
}

// One line for a person: time, session, what happened.
export function describeEvent(e: RelayEvent): string {
  const where = e.session === null ? '' : `[${e.session}] `;
  const secs = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  switch (e.type) {
    case 'session-started':
      return `${where}session started: ${e.command}`;
    case 'session-ended':
      return `${where}session ended (${e.reason}${e.status !== undefined && e.status !== null ? `, status ${e.status}` : ''})`;
    case 'job-started':
      return `${where}job ${e.job} started: ${e.command}`;
    case 'job-finished':
      return `${where}job ${e.job} ${e.state === 'done' ? (e.status === 0 ? 'finished' : `failed (status ${e.status ?? '?'})`) : e.state} after ${secs(e.durationMs)}: ${e.command}`;
    case 'input':
      return `${where}waiting for input${e.echoOff ? ' (hidden: a password?)' : ''}: ${e.prompt}`;
    case 'bell':
      return `${where}bell`;
    case 'client-attached':
      return `${where}client attached${e.readOnly ? ' (read-only)' : ''}; ${e.clients} attached`;
    case 'client-detached':
      return `${where}client detached; ${e.clients} attached`;
    case 'dropped':
      return `${e.count} event(s) dropped: this reader was too slow`;
  }
}
