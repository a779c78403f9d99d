// "Waiting for input" for a program session (`pty-relay new NAME -- CMD`: an AI CLI, an editor),
// which has no jobs: the same kernel facts as a job's watch (input-probe.ts), the same quiet rule
// (output this recent means the program works: a spinner), two probes in a row, and once per wait
// (events/wait-gate.ts): after a wait is reported, nothing is probed until the user answers.
import type { Emit } from '../events/bus';
import type { WaitGate } from '../events/wait-gate';
import { passwordMode, probeInputWait } from './input-probe';

// As input-watch.ts: a few /proc reads every 150 ms, and only while a wait would be news.
const POLL_MS = 150;
const QUIET_MS = 250;

export class ProgramWait {
  private readonly timer: NodeJS.Timeout;
  private lastOutput = Date.now();
  private hits = 0;
  private judging = false;

  constructor(
    private readonly session: string,
    private readonly pid: number,
    private readonly pts: string,
    private readonly gate: WaitGate,
    private readonly promptLine: () => Promise<{ prompt: string; fullScreen: boolean }>,
    private readonly emit: Emit,
  ) {
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
  }

  output(): void {
    this.lastOutput = Date.now();
    this.hits = 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.judging || !this.gate.open || Date.now() - this.lastOutput < QUIET_MS) return;
    if (!probeInputWait(this.pid, this.pts)) {
      this.hits = 0;
      return;
    }
    if (++this.hits < 2) return;
    this.judging = true;
    void Promise.all([passwordMode(this.pts), this.promptLine()]).then(([hidden, line]) => {
      this.judging = false;
      // Output meanwhile means the program went back to work: judge again later.
      if (this.hits < 2 || !this.gate.take()) return;
      this.emit({ type: 'input', session: this.session, job: null, prompt: line.prompt, echoOff: hidden === true && !line.fullScreen, fullScreen: line.fullScreen });
    });
  }
}
