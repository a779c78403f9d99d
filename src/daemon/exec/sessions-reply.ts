// `#!sessions` and `#!end` from nc: the daemon's sessions as `pty-relay ls` lists them, and ending
// one as `pty-relay kill NAME` does (the MCP tools `sessions` and `end_session` ask the same over
// the framed control protocol, attach/requests.ts). Neither starts a session.
import type { Logger } from '../../log';
import { sessionTable } from '../../protocol/session-table';
import type { Registry } from '../session/registry';
import { describeBusy } from './hints';
import { relayError, type Outcome } from './job-reply';
import type { Reply } from './reply';

// `#!sessions`: one row per session (name, pid, clients, age, idle time, state: its running or
// last command and how that is going), as `pty-relay ls` shows them.
export function sessionsReply(reply: Reply, registry: Registry): Outcome {
  const all = registry.summaries();
  reply.write(Buffer.from(all.length === 0 ? 'no sessions yet (a command starts the "default" one)\n' : sessionTable(all)));
  return { status: 0, reason: 'exit', fields: {} };
}

// `#!end` (with `#!session NAME`, else the default session): ends the session, its shell and jobs
// (SIGHUP, then SIGKILL after 3 s), saying what it was running; the next request that names it
// starts a new shell.
export function endReply(reply: Reply, registry: Registry, name: string, log: Logger): Outcome {
  const session = registry.find(name);
  if (session === undefined) {
    const names = registry.list().map((s) => s.name);
    return relayError(reply, `no session "${name}" to end (${names.length === 0 ? 'there are none' : `sessions: ${names.join(', ')}`})`);
  }
  const busy = session.isCommand ? null : session.busy();
  const queued = session.info().queued;
  registry.kill(name, 'end');
  log.info({ evt: 'session.killed', session: name }, 'session ended by #!end');
  const behind = busy?.queued === undefined && queued > 0 ? `; ${queued} queued request${queued === 1 ? '' : 's'} not run` : '';
  const was = busy === null ? '' : busy.queued !== undefined ? ` (${busy.what} not run)` : ` (it was running ${describeBusy(busy)}${behind})`;
  reply.notice(`session "${name}" ended, its shell and jobs with it${was}`);
  return { status: 0, reason: 'exit', fields: {} };
}
