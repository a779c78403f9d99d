// One-shot control requests on a framed connection: ls, info, kill, new and jobs. Pure decisions over
// the registry; the connection sends the reply (or the error) and closes.
import { RelayError } from '../../errors';
import type { Logger } from '../../log';
import type { DaemonInfo, Reply, Request } from '../../protocol/frame';
import { validateSessionName } from '../../protocol/session-name';
import type { Registry } from '../session/registry';
import type { Session } from '../session/session';
import type { FrameAccess } from './transport';

export type RequestOutcome = { reply: Extract<Reply, { ok: true }> } | { code: string; message: string };

// Carries out `r` within what `access` allows (`upgrade` is the connection's own, see attach.ts).
export function handleRequest(r: Exclude<Request, { op: 'upgrade' | 'events' }>, registry: Registry, access: FrameAccess, log: Logger, info: DaemonInfo): RequestOutcome {
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
  if (access.readOnly) return { code: 'PR_ERR_AUTH', message: 'this link is read-only: it cannot start or end sessions' };
  if (r.op === 'kill') {
    if (!registry.kill(r.session)) return { code: 'PR_ERR_NO_SESSION', message: `no session named "${r.session}"` };
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
  if (!s.ensureRunning()) {
    registry.kill(r.session);
    return { code: 'PR_ERR_SPAWN', message: `cannot start ${r.command.length === 0 ? 'a shell' : r.command.join(' ')}` };
  }
  return { reply: { ok: true, pid: s.pid } };
}
