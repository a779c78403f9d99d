// Output printed while no job ran (session/idle-output.ts), at the start of the next reply on the
// session: one `pty-relay:` line, then the text (its last IDLE_SHOWN_BYTES), so that what a
// background server printed between requests reaches the agent. A command's, `#!wait`'s and
// `#!send`'s reply carry it; `#!screen`, `#!jobs`, `#!output` and `#!status` replies stay as they
// are. It counts as delivered only when the reply reached its client (the Outcome's commit).
import type { Session } from '../session/session';
import type { Outcome } from './job-reply';
import type { Reply } from './reply';

// Enough for the last few dozen log lines; the rest is counted and the screen shows the latest.
export const IDLE_SHOWN_BYTES = 4096;

// Writes the session's undelivered idle output, if any; returns what marks it delivered.
export function tellIdle(reply: Reply, session: Session): (() => void) | null {
  const t = session.idleOutput.take(IDLE_SHOWN_BYTES);
  if (t === null) return null;
  const clock = t.since.toTimeString().slice(0, 8);
  const left = t.omitted > 0 ? `; the first ${t.omitted} not shown, the screen: #!screen` : '';
  reply.notice(`printed while no command ran (${t.total} bytes since ${clock}${left}):`);
  reply.note(t.text[t.text.length - 1] === 0x0a ? t.text : Buffer.concat([t.text, Buffer.from('\n')]));
  return t.commit;
}

// `outcome`, whose commit also marks the idle output it carried as delivered.
export function withIdle(outcome: Outcome, commit: (() => void) | null): Outcome {
  if (commit === null) return outcome;
  return {
    ...outcome,
    commit: () => {
      commit();
      outcome.commit?.();
    },
  };
}
