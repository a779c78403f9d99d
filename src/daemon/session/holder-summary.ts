// How a session's program is held, for `ls` and `doctor`: by a live holder (with the holder's
// pid: the parent of the program it started), by none, or lost (a holder that died while no daemon
// ran: the journal kept the history, the shell is gone).
import type { SessionSummary } from '../../protocol/frame';
import type { HolderLink } from '../holder/link';
import { readParent } from '../pty/proc';

// `link`: the program's holder link (null: none); `lost`: no program runs and the session came
// back from a journal whose holder was gone.
export function holderSummary(link: HolderLink | null, lost: boolean): NonNullable<SessionSummary['holder']> {
  if (lost) return { state: 'lost', pid: null };
  if (link === null || link.gone) return { state: 'none', pid: null };
  return { state: 'held', pid: readParent(link.hello.pid) };
}
