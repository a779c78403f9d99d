// What a session tells the event stream (events/) beyond its jobs: the bell, clients coming and
// going, and a program session's input waits (jobs/program-wait.ts), all "once per wait" through
// the session's one WaitGate, which its jobs share (jobs/job-events.ts).
import type { Emit } from '../events/bus';
import { BellScanner } from '../events/bell';
import { WaitGate } from '../events/wait-gate';
import { JobEvents } from '../jobs/job-events';
import { ProgramWait } from '../jobs/program-wait';

// A program that rings the bell in a loop is one event a second, not thousands.
const BELL_MIN_MS = 1_000;

export class SessionSignals {
  readonly jobs: JobEvents;
  private readonly gate = new WaitGate();
  private readonly bell = new BellScanner();
  private lastBell = 0;
  private programWait: ProgramWait | null = null;

  constructor(
    private readonly session: string,
    private readonly isProgram: boolean, // `pty-relay new NAME -- CMD`: no jobs, the whole output watched
    readonly emit: Emit,
    private readonly promptLine: () => Promise<{ prompt: string; fullScreen: boolean }>,
  ) {
    this.jobs = new JobEvents(session, emit, this.gate);
  }

  // Bytes typed into the terminal (an attached client, `#!send`).
  typed(bytes: Uint8Array): void {
    this.gate.typed(bytes);
  }

  // Every byte the program printed: a program session's quiet and its bell.
  sawOutput(data: Buffer): void {
    this.programWait?.output();
    if (this.isProgram) this.sawText(data, true);
  }

  // Output between a shell's marks (`counts`: false while the shell echoes a request line we typed,
  // whose C-u rings readline's bell on an empty line).
  sawText(data: Buffer, counts: boolean): void {
    if (this.bell.scan(data) && counts && Date.now() - this.lastBell >= BELL_MIN_MS) {
      this.lastBell = Date.now();
      this.emit({ type: 'bell', session: this.session });
    }
  }

  // A program runs in the PTY now: a program session's input waits are watched.
  started(pid: number, pts: string | null): void {
    this.gate.arm();
    this.programWait?.stop();
    this.programWait = this.isProgram && pts !== null ? new ProgramWait(this.session, pid, pts, this.gate, this.promptLine, this.emit) : null;
  }

  stopped(): void {
    this.programWait?.stop();
    this.programWait = null;
  }

  clients(attached: boolean, clients: number, readOnly: boolean): void {
    this.emit(attached ? { type: 'client-attached', session: this.session, readOnly, clients } : { type: 'client-detached', session: this.session, clients });
  }
}
