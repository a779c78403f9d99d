// A session's jobs by number: the running one, the queued ones and a bounded history, which is
// also the session's command history. Numbers start at 1 and are never reused within a session.
import type { JobSummary } from '../../protocol/frame';
import { Job, type JobHandover, type JobSink, type JobSpec } from './job';
import { listedCommand } from './typed-command';

// Finished jobs remembered: `#!jobs` shows them and `#!wait`/`#!output` can still read them.
export const JOB_HISTORY = 100;
// Output all of a session's jobs may keep together. Past it, the oldest finished jobs' output is
// released first (a reader is told how many bytes are gone). 64 MiB: four full job stores.
export const SESSION_OUTPUT_BUDGET_BYTES = 64 * 1024 * 1024;

export class JobTable {
  private readonly jobs: Job[] = [];
  private next = 1;
  private sinkTo: JobSink | null = null;

  constructor(
    private readonly history = JOB_HISTORY,
    private readonly budgetBytes = SESSION_OUTPUT_BUDGET_BYTES,
  ) {}

  // The table as handed to a new daemon (upgrade/).
  handover(output = true): { next: number; jobs: JobHandover[] } {
    return { next: this.next, jobs: this.jobs.map((j) => j.handover(output)) };
  }

  // Takes over the jobs an earlier daemon handed over.
  restore(h: { next: number; jobs: JobHandover[] }): void {
    this.jobs.splice(0, this.jobs.length, ...h.jobs.map((j) => Job.restore(j)));
    this.next = h.next;
    for (const j of this.jobs) j.sink = this.sinkTo;
  }

  // The number the next job gets.
  get nextId(): number {
    return this.next;
  }

  // Numbers jobs from `n` on (a new session of a name: its numbers go on from the old one's).
  numberFrom(n: number): void {
    if (this.jobs.length === 0) this.next = Math.max(this.next, n);
  }

  // Who keeps a copy of every job (journal/), from now on.
  set sink(sink: JobSink | null) {
    this.sinkTo = sink;
    for (const j of this.jobs) j.sink = sink;
  }

  // Makes a new job with the next number.
  create(spec: JobSpec, storeBytes?: number): Job {
    const job = new Job(this.next++, spec, storeBytes);
    job.sink = this.sinkTo;
    this.jobs.push(job);
    this.trim();
    return job;
  }

  get(id: number): Job | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  // The most recent job, or undefined.
  latest(): Job | undefined {
    return this.jobs[this.jobs.length - 1];
  }

  // Oldest first.
  list(): readonly Job[] {
    return this.jobs;
  }

  // Every job in brief, oldest first (the web page's recent commands).
  summaries(): JobSummary[] {
    return this.jobs.map((j) => ({
      id: j.id,
      command: listedCommand(j),
      state: j.state === 'input' ? 'waiting for input' : j.state,
      status: j.status,
      startedAt: (j.startedAt ?? j.queuedAt).toISOString(),
      durationMs: j.durationMs(),
    }));
  }

  // Keeps the history and the output budget: forgets the oldest finished jobs past the history,
  // then releases finished jobs' output, oldest first, while over the budget.
  // Runs twice per job: one pass that only counts, in the usual case that nothing is over.
  trim(): void {
    let finished = 0;
    let total = 0;
    for (const j of this.jobs) {
      if (!j.live) finished++;
      total += j.allocated;
    }
    if (finished <= this.history && total <= this.budgetBytes) return;
    for (let i = 0; i < this.jobs.length && finished > this.history; ) {
      if (this.jobs[i]?.live === false) {
        const [gone] = this.jobs.splice(i, 1);
        if (gone !== undefined) this.sinkTo?.changed(gone, 'released');
        finished--;
      } else i++;
    }
    total = 0;
    for (const j of this.jobs) total += j.allocated;
    for (const j of this.jobs) {
      if (total <= this.budgetBytes) break;
      if (j.live || j.allocated === 0) continue;
      total -= j.allocated;
      j.release();
    }
  }
}
