// The sessions' holders (README "Sessions that survive the daemon"): asked of the daemon over its
// own unix socket, which session would outlive the daemon's death, which would not, and which lost
// its holder (history kept, shell gone).
import type { SessionSummary } from '../../protocol/frame';
import { request } from '../link';
import { LOST_WORDS } from '../../protocol/session-table';
import { ok, skip, warning, type Check } from './check';

// The daemon's sessions (null: it did not answer), in one line.
export function holdersCheck(sessions: SessionSummary[] | null): Check {
  if (sessions === null) return skip('holders', 'no daemon answered on its unix socket');
  if (sessions.length === 0) return ok('holders', 'no sessions');
  const held = sessions.filter((s) => s.holder?.state === 'held');
  const lost = sessions.filter((s) => s.holder?.state === 'lost');
  // A session with no program now (a shell that ended) has nothing to hold: not a problem.
  const bare = sessions.filter((s) => s.holder?.state !== 'held' && s.holder?.state !== 'lost' && s.pid !== null);
  const heldWords = held.map((s) => `${s.name} (holder pid ${s.holder?.pid ?? '?'})`).join(', ');
  const parts = [held.length > 0 ? `held by their holders, surviving a daemon crash: ${heldWords}` : 'no session is held by a holder'];
  if (bare.length > 0) parts.push(`not held, ending with the daemon: ${bare.map((s) => s.name).join(', ')}`);
  for (const s of lost) parts.push(`session ${s.name}: ${LOST_WORDS}`);
  const message = parts.join('; ');
  if (bare.length > 0) return warning('holders', message, 'these sessions were started with `serve --no-holders` or by a daemon without pty-relay-holder: restart them (pty-relay kill NAME) under a daemon with holders');
  if (lost.length > 0) return warning('holders', message, 'nothing to repair: read what it kept with `pty-relay jobs NAME`, or end it with `pty-relay kill NAME`');
  return ok('holders', message);
}

// Asks the daemon at `sock` for its sessions; null when it does not answer.
export async function daemonSessions(sock: string, secret: string | null): Promise<SessionSummary[] | null> {
  try {
    const reply = await request({ path: sock }, secret, { op: 'ls' });
    return reply.ok ? (reply.sessions ?? []) : null;
  } catch {
    return null;
  }
}
