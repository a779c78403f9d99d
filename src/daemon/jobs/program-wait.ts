// "Waiting for input" for a program session (`pty-relay new NAME -- CMD`: an AI CLI, an editor),
// which has no jobs: the same kernel facts and quiet rule as a job's watch (quiet-probe.ts), and
// once per wait (events/wait-gate.ts): after a wait is reported, nothing is probed until the user
// answers.
import type { Emit } from '../events/bus';
import type { WaitGate } from '../events/wait-gate';
import { QuietProbe } from './quiet-probe';

export class ProgramWait {
  private readonly probe: QuietProbe;

  constructor(session: string, pid: number, pts: string, gate: WaitGate, promptLine: () => Promise<{ prompt: string; fullScreen: boolean }>, emit: Emit) {
    this.probe = new QuietProbe({ pid, pts, masterFd: null, promptLine }, {
      watching: () => gate.open,
      reported: () => false, // the gate closes once a wait is told
      ended: () => undefined,
      found: (wait, quiet) => {
        // Output meanwhile means the program went back to work: judge again later.
        if (!quiet || !gate.take()) return;
        emit({ type: 'input', session, job: null, prompt: wait.prompt, echoOff: wait.echoOff, fullScreen: wait.fullScreen });
      },
    });
  }

  output(): void {
    this.probe.output();
  }

  stop(): void {
    this.probe.stop();
  }
}
