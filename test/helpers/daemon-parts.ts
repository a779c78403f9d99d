// Configurations and states that unit tests hand to daemon parts they drive directly.
import type { ExecConfig } from '../../src/daemon/exec/connection';
import type { JournalState } from '../../src/daemon/journal/session-journal';

// An exec connection with short settle times, small requests, no timeout and no secret.
export const EXEC_CONFIG: ExecConfig = {
  timing: { settleMs: 5, incompleteMs: 1000, quickSettleMs: 1, quickBytes: 4096, deadlineMs: 60_000, replyStallMs: 60_000 },
  maxRequestBytes: 1024,
  defaultTimeoutMs: 0,
  secret: null,
  logCommands: false,
};

// A session's journal state with no shell, no jobs and an empty 1 KiB ring.
export const emptyJournalState = (): JournalState => ({
  name: 's',
  createdAt: 0,
  shell: null,
  audience: { cols: 80, rows: 24, ring: { capacity: 1024, head: 0, data: Buffer.alloc(0) }, screen: null, inputSeen: [] },
  runner: { state: 'idle', queue: [], table: { next: 1, jobs: [] } },
});
