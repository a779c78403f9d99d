// One-shot control requests on a framed connection: ls, info, kill, new and jobs. Pure decisions over
// the registry; the connection sends the reply (or the error) and closes.
import { RelayError } from '../../errors';
import type { Logger } from '../../log';
import { OUTPUT_PAGE_BYTES, type DaemonInfo, type JobOutput, type Reply, type Request } from '../../protocol/frame';
import type { Job } from '../jobs/job';
import { validateSessionName } from '../../protocol/session-name';
import type { Registry } from '../session/registry';
import type { Session } from '../session/session';
import type { FrameAccess } from './transport';

export type RequestOutcome = { reply: Extract<Reply, { ok: true }> } | { code: string; message: string };

// Carries out `r` within what `access` allows (`upgrade` is the connection's own, see attach.ts).
export function handleRequest(r: Exclude<Request, { op: 'upgrade' | 'events' }>, registry: Registry, access: FrameAccess, log: Logger, info: DaemonInfo): RequestOutcome | Promise<RequestOutcome> {
  if (r.op === 'ls') {
    const all = registry.summaries();
    return { reply: { ok: true, sessions: access.session === null ? all : all.filter((s) => s.name === access.session) } };
  }
  if (r.op === 'info') {
    if (access.session !== null || access.readOnly) return { code: 'PR_ERR_AUTH', message: 'this link cannot ask about the daemon' };
    return { reply: { ok: true, info } };
  }
  const err = validateSessionName(r.session);
  if (err !== null) return { code: 'PR_ERR_SESSION_NAME', message: err };
  if (access.session !== null && r.session !== access.session) return { code: 'PR_ERR_AUTH', message: `this link only gives access to session "${access.session}"` };
  if (r.op === 'jobs') {
    const s = registry.find(r.session);
    if (s === undefined) return { code: 'PR_ERR_NO_SESSION', message: `no session named "${r.session}"` };
    return { reply: { ok: true, jobs: s.jobHistory() } };
  }
  if (r.op === 'output') {
    const s = registry.find(r.session);
    if (s === undefined) return { code: 'PR_ERR_NO_SESSION', message: `no session named "${r.session}"` };
    const job = s.jobs.get(r.job);
    if (job === undefined) return { code: 'PR_ERR_NO_JOB', message: `no job ${r.job} in session "${r.session}"` };
    return { reply: { ok: true, output: outputPage(job, r.from) } };
  }
  if (access.readOnly) return { code: 'PR_ERR_AUTH', message: 'this link is read-only: it cannot start or end sessions' };
  if (r.op === 'kill') {
    if (!registry.kill(r.session, 'kill')) return { code: 'PR_ERR_NO_SESSION', message: `no session named "${r.session}"` };
    log.info({ evt: 'session.killed', session: r.session }, 'session killed');
    return { reply: { ok: true } };
  }
  let s: Session | null;
  try {
    s = registry.create(r.session, r.command.length === 0 ? undefined : r.command, r.cols, r.rows, r.sandbox);
  } catch (e) {
    if (e instanceof RelayError) return { code: e.code, message: e.message };
    throw e;
  }
  if (s === null) return { code: 'PR_ERR_SESSION_EXISTS', message: `a session named "${r.session}" already exists` };
  // Start it now: a session made with `new` runs whether or not anyone attaches.
  // A program under a holder runs once the daemon is connected to it: the reply waits for that.
  const made = s;
  const outcome = (): RequestOutcome => {
    if (made.pid !== null) return { reply: { ok: true, pid: made.pid } };
    if (registry.find(r.session) === made) registry.kill(r.session, 'unstarted');
    return { code: 'PR_ERR_SPAWN', message: `cannot start ${r.command.length === 0 ? 'a shell' : r.command.join(' ')}` };
  };
  return s.ensureRunning() ? s.launched().then(outcome) : outcome();
}

// Up to OUTPUT_PAGE_BYTES of `job`'s output from `from` (default: the last page), as `#!output`
// reads it; a start before what is kept moves to the first kept byte.
function outputPage(job: Job, from: number | undefined): JobOutput {
  const head = job.head;
  const kept = job.tail;
  let pos = Math.max(kept, Math.min(head, from ?? head - OUTPUT_PAGE_BYTES));
  const start = pos;
  const parts: Buffer[] = [];
  while (pos < head && pos - start < OUTPUT_PAGE_BYTES) {
    const r = job.read(pos, OUTPUT_PAGE_BYTES - (pos - start));
    if (r.kind !== 'data') break;
    parts.push(r.data);
    pos += r.data.length;
  }
  return { job: job.id, from: start, to: pos, kept, head, text: Buffer.concat(parts).toString('utf8') };
}
