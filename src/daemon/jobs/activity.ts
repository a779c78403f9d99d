// What a shell session is doing, from its jobs: the running command, or the last one and how it
// ended, for session lists (`pty-relay ls`, the web page).
import type { JobActivity } from '../../protocol/frame';
import { preview, type Job } from './job';
import type { JobTable } from './job-table';
import { listedCommand } from './typed-command';

// The job a session list shows: the newest one that started (a queued one only when none has).
export function activityOf(table: JobTable, now = Date.now()): JobActivity | null {
  const jobs = table.list();
  let job: Job | undefined;
  for (let i = jobs.length - 1; i >= 0 && job === undefined; i--) if (jobs[i]?.startedAt !== null) job = jobs[i];
  job ??= jobs[jobs.length - 1];
  if (job === undefined) return null;
  const waiting = job.state === 'input' ? job.waiting : null;
  // A person's own failed command in their terminal is no news to them; an agent's is.
  const failed = job.spec.origin === 'exec' && (job.state === 'failed' || job.state === 'killed' || (job.state === 'done' && job.status !== null && job.status !== 0));
  return {
    id: job.id,
    command: job.spec.origin === 'terminal' ? listedCommand(job) : preview(job.command),
    origin: job.spec.origin,
    state: job.state === 'input' ? 'waiting for input' : job.state,
    status: job.status,
    startedAt: (job.startedAt ?? job.queuedAt).toISOString(),
    durationMs: job.durationMs(now),
    ...(waiting !== null ? { prompt: waiting.prompt.slice(0, 200), echoOff: waiting.echoOff } : {}),
    needsYou: waiting !== null ? 'input' : failed ? 'failed' : null,
  };
}
