// What a session's jobs tell the event stream (protocol/events.ts): started, finished, and waiting
// for input once per wait (events/wait-gate.ts).
import type { Emit } from '../events/bus';
import type { WaitGate } from '../events/wait-gate';
import { preview, type Job } from './job';

export class JobEvents {
  constructor(
    private readonly session: string,
    private readonly emit: Emit,
    private readonly gate: WaitGate,
  ) {}

  // `job` is the running one now; `started`: it starts now (not one handed over by a daemon).
  tracked(job: Job, started: boolean): void {
    const { emit, gate, session } = this;
    job.onWaiting = (w) => {
      if (gate.take()) emit({ type: 'input', session, job: job.id, prompt: w.prompt, echoOff: w.echoOff, fullScreen: w.fullScreen });
    };
    if (!started) return;
    gate.arm();
    emit({ type: 'job-started', session, job: job.id, command: preview(job.command), origin: job.spec.origin });
  }

  // `job` ended (a job that never started tells nothing).
  finished(job: Job): void {
    job.onWaiting = null;
    if (job.startedAt === null || job.live) return;
    const { state, status, endMessage } = job;
    const message = endMessage === null ? {} : { message: endMessage };
    const end = state as 'done' | 'failed' | 'killed';
    this.emit({ type: 'job-finished', session: this.session, job: job.id, command: preview(job.command), origin: job.spec.origin, state: end, status, durationMs: job.durationMs() ?? 0, ...message });
  }
}
