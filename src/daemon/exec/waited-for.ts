// What a request owes its agent about the session's jobs that ended while nobody looked. A job
// whose own reply had ended before it did (the request timed out with "still running as job N",
// its client left) ends unseen: its exit status and last output reach no reply, and an agent that
// moved on, or queued "deploy" behind "build", would go on after a failed build without a word.
// So as a request's job starts, its reply says first, in one line per such job (at most
// MAX_TOLD, then how to see the rest), how that job ended and how to get the output no reply
// showed. For the jobs it waited for in the queue, a reply whose command then ends says once
// more, just before its own status, which of them failed (an agent reads a reply's end for the
// status). A job whose end a reply did write, or one that a reply still follows (its own request,
// a `#!wait`, a `#!kill`), is not repeated: requests sent together stay exactly their output.
// Commands a person typed in the terminal are theirs (on their screen), not owed to the agent.
import type { Job } from '../jobs/job';
import type { Session } from '../session/session';
import { endedSummary, sessionNote } from './hints';

export interface WaitedFor {
  // Lines to say as `job` starts, before its output (marks those jobs' ends as told).
  atStart(): string[];
  // Lines to say before the job's own status when it ended: the jobs above that failed.
  atEnd(): string[];
}

// Lines about jobs of the agent's that ended unseen, at most this many (then how to see the rest).
const MAX_TOLD = 5;

// The report for `job`, a request's job in `session` (`queued`: it waits behind others).
export function waitedFor(session: Session, job: Job, queued: boolean): WaitedFor {
  let waitedOn: Job[] = [];
  return {
    atStart: () => {
      const told = session.jobs.list().filter((j) => owed(j, job));
      for (const j of told) j.endTold = true;
      waitedOn = queued ? told.filter((j) => (j.endedAt as Date) >= job.queuedAt) : [];
      const lines = told.slice(-MAX_TOLD).map((j) => {
        const how = waitedOn.includes(j) ? `while job ${job.id} waited for it` : 'while no reply followed it';
        return `${endedSummary(session.name, j)} ${how}; ${what(j)}${sessionNote(session.name)}`;
      });
      const more = told.length - lines.length;
      return more > 0 ? [`${more} more jobs of this session ended unseen before these: #!jobs${sessionNote(session.name)}`, ...lines] : lines;
    },
    atEnd: () =>
      waitedOn
        .filter((j) => j.state !== 'done' || j.status !== 0 || j.endMessage !== null)
        .map((j) => `job ${j.id}, which job ${job.id} waited for, did not succeed (exit status ${j.status ?? 'unknown'}; see the top of this reply)`),
  };
}

// A job of the agent's that ended with no reply to say how, and that no reply follows now.
function owed(j: Job, job: Job): boolean {
  return j !== job && j.spec.origin === 'exec' && !j.live && !j.endTold && j.replies === 0 && j.startedAt !== null && j.endedAt !== null;
}

// "20 bytes of its output no reply showed: #!wait 4" / "it printed nothing" / "…all shown before".
function what(j: Job): string {
  const from = Math.max(j.delivered, j.tail);
  if (j.head === 0) return 'it printed nothing';
  if (from >= j.head) return `its output was all shown before (again: #!output ${j.id})`;
  return `${j.head - from} bytes of its output no reply showed: #!wait ${j.id}`;
}
