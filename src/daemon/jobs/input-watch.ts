// Watches a running job for "waiting for terminal input" (see jobs/input-wait.ts for what counts),
// on the quiet-output and two-probe rule of quiet-probe.ts; the verdict is the job's state.
import type { InputWait, Job } from './job';
import { QuietProbe } from './quiet-probe';

export class InputWatch {
  private readonly probe: QuietProbe;

  constructor(
    private readonly job: Job,
    shellPid: number,
    pts: string,
    masterFd: number | null,
    promptLine: () => Promise<{ prompt: string; fullScreen: boolean }>,
  ) {
    this.probe = new QuietProbe({ pid: shellPid, pts, masterFd, promptLine }, {
      watching: () => this.job.live,
      reported: () => this.job.state === 'input',
      ended: () => this.clear(),
      found: (wait) => this.set(wait),
    });
  }

  output(): void {
    this.probe.output();
  }

  stop(): void {
    this.probe.stop();
  }

  // Probes once, now: is the job waiting for input? Updates the job's state either way.
  async checkNow(): Promise<boolean> {
    if (!this.probe.probe()) {
      this.clear();
      return false;
    }
    if (this.job.state !== 'input') this.set(await this.probe.judge());
    return this.job.state === 'input';
  }

  private clear(): void {
    if (this.job.state === 'input') this.job.setWaiting(null);
  }

  private set(wait: InputWait): void {
    if (!this.probe.stopped && this.job.live) this.job.setWaiting(wait);
  }
}
