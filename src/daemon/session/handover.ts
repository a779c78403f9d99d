// What a session is as data: what it is adopted from (an earlier daemon's handover, or a crashed
// daemon's journal and holder) and what it hands to a new daemon (upgrade/).
import type { AudienceHandover } from './audience';
import type { CrashFacts } from './crash';
import type { Lifecycle } from './program';
import type { RunnerHandover } from '../jobs/job-runner';
import type { ShellHandover } from '../shell/shell';
import type { SandboxState } from '../sandbox/sandbox';

// What a session is adopted from: an earlier daemon's handover (fd: its PTY's master, null when no
// program runs), or a crashed daemon's journal and the session's holder, whose buffered output
// (`pending`) is read before the terminal (crash.ts).
export interface Adoption extends CrashFacts {
  state: SessionHandover;
  fd: number | null;
  pending?: Buffer;
}

// A session as handed to a new daemon (upgrade/); its PTY's master fd travels apart.
export interface SessionHandover {
  name: string;
  createdAt: number;
  command: string[] | null;
  lifecycle: Lifecycle;
  shell: ShellHandover | null;
  runner: RunnerHandover;
  audience: AudienceHandover;
  sandbox?: SandboxState;
}

// The session of the same name that a client ended before a new one (registry.ts): how and when.
export interface Predecessor {
  how: string; // "with #!end", "by a kill (…)", "after 30 min unused (--idle-timeout)"
  at: Date;
  nextJob: number; // its jobs' numbers are not given again
}
