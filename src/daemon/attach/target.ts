// Which session an ATTACH reaches, if the connection may reach it: the name is valid, the link's
// access allows it (a watch link: its one session, read-only), the session exists or may be made,
// and it has room for one more client; and the ATTACHED answer.
import { RelayError } from '../../errors';
import type { Attach, Attached } from '../../protocol/frame';
import { validateSessionName } from '../../protocol/session-name';
import type { Registry } from '../session/registry';
import type { Session } from '../session/session';
import type { FrameAccess } from './transport';

export function attachTarget(a: Attach, access: FrameAccess, registry: Registry, maxClients: number): { session: Session; created: boolean } | { code: string; message: string } {
  const err = validateSessionName(a.session);
  if (err !== null) return { code: 'PR_ERR_SESSION_NAME', message: err };
  if (access.session !== null && a.session !== access.session) return { code: 'PR_ERR_AUTH', message: `this link only gives access to session "${access.session}"` };
  if (access.readOnly && !a.readOnly) return { code: 'PR_ERR_AUTH', message: 'this link is read-only: attach with readOnly' };
  let session = registry.find(a.session);
  const created = session === undefined;
  if (session === undefined) {
    if (!a.create || access.readOnly) return { code: 'PR_ERR_NO_SESSION', message: `no session named "${a.session}"` };
    try {
      session = registry.get(a.session);
    } catch (e) {
      if (e instanceof RelayError) return { code: e.code, message: e.message };
      throw e;
    }
  }
  if (session.audience.clients >= maxClients) {
    return { code: 'PR_ERR_LIMIT', message: `session "${a.session}" already has ${maxClients} clients attached (--max-clients)` };
  }
  return { session, created };
}

// The ATTACHED answer: the session as this attach finds it, output from `offset`.
export function attachedBody(a: Attach, session: Session, offset: number, created: boolean): Attached {
  const { cols, rows } = session.audience.size;
  return { session: a.session, pid: session.pid, offset, created, inputAck: session.audience.inputAck(a.clientId), cols, rows, clients: session.audience.clients };
}
