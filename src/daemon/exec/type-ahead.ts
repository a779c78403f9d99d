// `#!send` to a job that is not reading the terminal: the keys are not typed (jobs/type-ahead.ts
// says when they would wait unread), and the reply says why and the ways on. `#!typeahead` types
// them anyway, for the rare case where that is the intent (an answer for a prompt still to come).
import { preview, type Job } from '../jobs/job';
import { listedCommand } from '../jobs/typed-command';
import type { Session } from '../session/session';
import { sessionNote } from './hints';

// The refusal for `bytes` sent to `job`, or null when they may be typed now.
export function typeAheadRefusal(session: Session, job: Job, bytes: Buffer): string | null {
  if (!session.typesAhead(bytes)) return null;
  const cmd = job.spec.origin === 'terminal' ? listedCommand(job) : preview(job.command);
  return (
    `NOT typed: job ${job.id} (\`${cmd}\`) is running and not reading the terminal, so the keys would wait ` +
    `and reach whatever reads it next, the shell included (as a command). Wait for it: #!wait ${job.id}; ` +
    `interrupt it: #!send \\x03; type ahead on purpose: a #!typeahead line before #!send${sessionNote(session.name)}`
  );
}
