// What a request that waited in the queue owes its agent about the jobs it waited for. A job ahead
// whose own reply had ended before it did (the request timed out with "still running as job N",
// its client left) ends while nobody looks: its exit status and last output reach no reply, and an
// agent that queued "deploy" behind "build" would deploy after a failed build without a word. So
// when the queued job starts, its reply says first, in one line per such job, how that job ended
// and how to get the output no reply showed; and a reply whose command then ends says once more,
// just before its own status, which of them failed (an agent reads a reply's end for the status).
// A job whose end a reply did write (its own request was still following it, a `#!wait`, a
// `#!kill`) is not repeated: requests sent together stay exactly their output. Commands a person
// typed in the terminal are theirs (on their screen), not owed to the agent.
import type { Job } from '../jobs/job';
import type { Session } from '../session/session';
import { endedSummary, sessionNote } from './hints';

export interface WaitedFor {
  // Lines to say as `job` starts, before its output (marks those jobs' ends as told).
  atStart(): string[];
  // Lines to say before the job's own status when it ended: the jobs above that failed.
  atEnd(): string[];
}

// The report for `job`, a request's job that waits behind others in `session`.
export function waitedFor(session: Session, job: Job): WaitedFor {
  let told: Job[] = [];
  return {
    atStart: () => {
      told = session.jobs.list().filter((j) => owed(j, job));
      for (const j of told) j.endTold = true;
      return told.map((j) => `${endedSummary(session.name, j)} while job ${job.id} waited for it; ${what(j)}${sessionNote(session.name)}`);
    },
    atEnd: () =>
      told
        .filter((j) => j.state !== 'done' || j.status !== 0 || j.endMessage !== null)
        .map((j) => `job ${j.id}, which job ${job.id} waited for, did not succeed (exit status ${j.status ?? 'unknown'}; see the top of this reply)`),
  };
}

// A job of the agent's that ended after `job` was queued, with no reply to say how.
function owed(j: Job, job: Job): boolean {
  return j !== job && j.spec.origin === 'exec' && !j.live && !j.endTold && j.startedAt !== null && j.endedAt !== null && j.endedAt >= job.queuedAt;
}

// "20 bytes of its output no reply showed: #!wait 4" / "it printed nothing" / "…all shown before".
function what(j: Job): string {
  const from = Math.max(j.delivered, j.tail);
  if (j.head === 0) return 'it printed nothing';
  if (from >= j.head) return `its output was all shown before (again: #!output ${j.id})`;
  return `${j.head - from} bytes of its output no reply showed: #!wait ${j.id}`;
}
