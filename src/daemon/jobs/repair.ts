// The terminal repair typed after a job that may have left the terminal broken (repairLine), with
// a deadline. The repair line only helps when bash reads it at a prompt; input that reached the
// shell first (a half-typed quote, or terminal query answers a terminal sent while the job ran)
// can keep bash in a continuation line, and no prompt mark ever came: the session stayed
// `repairing` for good, and every later request waited out its timeout.
//
// At the deadline: Ctrl-C (which ends bash's continuation line and prints a prompt, whose mark
// brings the repair again); at the second: the shell is killed, and a new one starts for the next
// request as after any shell death. Each step is logged and shown to attached terminals.
import type { Logger } from '../../log';
import type { Shell } from '../shell/shell';
import { repairLine } from '../shell/shell-integration';

// A repair is a builtin `stty` at a prompt, well under a second even behind slow prompt hooks.
export const REPAIR_DEADLINE_MS = 5_000;

export interface RepairHost {
  readonly log: Logger;
  shell(): Shell | null;
  output(data: Buffer): void; // a notice drawn for attached terminals only
  again(): void; // type the repair once more at the next prompt
  typing(line: string): void; // the repair line is about to be typed (echo-swap.ts)
}

export class Repair {
  private timer: NodeJS.Timeout | null = null;
  private tries = 0;

  constructor(private readonly host: RepairHost) {}

  // Types the repair line and starts the deadline.
  start(): void {
    const shell = this.host.shell();
    if (shell === null) return;
    this.host.typing(repairLine());
    shell.pty.write(repairLine());
    this.arm();
  }

  // A repair handed over by an earlier daemon: only the deadline starts again.
  resume(): void {
    this.arm();
  }

  // The prompt came (or the shell is gone, or a handover begins): no deadline.
  done(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.tries = 0;
  }

  // A handover freezes the session: the deadline stops, its count stays.
  pause(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expired(), REPAIR_DEADLINE_MS);
    this.timer.unref();
  }

  private expired(): void {
    this.timer = null;
    const shell = this.host.shell();
    if (shell === null) return;
    this.tries++;
    const secs = REPAIR_DEADLINE_MS / 1000;
    if (this.tries === 1) {
      this.host.log.warn({ evt: 'job.repair_timeout', action: 'interrupt' }, `no prompt within ${secs} s of the terminal repair; sending Ctrl-C`);
      this.host.output(Buffer.from(`\r\n[pty-relay: the shell gave no prompt within ${secs} s after the last command (input typed while it ran?); sending Ctrl-C]\r\n`));
      this.host.again();
      shell.pty.write('\x03');
      this.arm();
      return;
    }
    this.host.log.error({ evt: 'job.repair_timeout', action: 'kill' }, `no prompt after Ctrl-C either; ending the shell (the next request starts a new one)`);
    this.host.output(Buffer.from(`\r\n[pty-relay: the shell still gave no prompt; ending it: the next request starts a new shell]\r\n`));
    this.tries = 0;
    shell.pty.kill('SIGKILL');
  }
}
