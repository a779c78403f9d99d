// Watches a running job for "waiting for terminal input" (see jobs/input-wait.ts for what counts).
// A verdict needs the job's output to have been quiet for QUIET_MS and two probes in a row, so a
// program that reads the terminal for a moment while it works is not reported.
import type { Job } from './job';
import { passwordMode, probeInputWait } from './input-probe';

// Probing costs a few /proc reads; 150 ms keeps the report well under a second after the prompt.
const POLL_MS = 150;
// Output this recent means the program is working, whatever it is blocked in right now.
const QUIET_MS = 250;

export class InputWatch {
  private timer: NodeJS.Timeout | null = null;
  private lastOutput = Date.now();
  private hits = 0;
  private judging = false;

  constructor(
    private readonly job: Job,
    private readonly shellPid: number,
    private readonly pts: string,
    private readonly masterFd: number | null,
    private readonly promptLine: () => Promise<{ prompt: string; fullScreen: boolean }>,
  ) {
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
  }

  output(): void {
    this.lastOutput = Date.now();
    this.hits = 0;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  // Probes once, now: is the job waiting for input? Updates the job's state either way.
  async checkNow(): Promise<boolean> {
    const waiting = probeInputWait(this.shellPid, this.pts, this.masterFd);
    if (!waiting) {
      if (this.job.state === 'input') this.job.setWaiting(null);
      return false;
    }
    if (this.job.state !== 'input') await this.report();
    return this.job.state === 'input';
  }

  private tick(): void {
    if (this.judging || !this.job.live) return;
    if (Date.now() - this.lastOutput < QUIET_MS) return;
    if (!probeInputWait(this.shellPid, this.pts, this.masterFd)) {
      this.hits = 0;
      if (this.job.state === 'input') this.job.setWaiting(null);
      return;
    }
    if (++this.hits < 2 || this.job.state === 'input') return;
    void this.report();
  }

  private async report(): Promise<void> {
    this.judging = true;
    try {
      const [hidden, line] = await Promise.all([passwordMode(this.pts, this.masterFd), this.promptLine()]);
      if (this.timer !== null && this.job.live) this.job.setWaiting({ ...line, echoOff: hidden === true && !line.fullScreen });
    } finally {
      this.judging = false;
    }
  }
}
