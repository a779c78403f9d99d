// What an agent's side of the e2e tests does over and over against one daemon: a request through
// real nc in a named session, the same left running, and a FIFO a job can block on.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nc, start, type LiveClient } from './clients';
import type { TestDaemon } from './daemon';

export interface AgentSide {
  req(session: string, text: string): Promise<string>; // the reply's stdout
  live(session: string, text: string): LiveClient;
  fifo(): { path: string; release(): void };
}

// The agent's side against `daemon()` (called late: the daemon starts in beforeAll).
export function agentSide(daemon: () => TestDaemon): AgentSide {
  let n = 0;
  return {
    req: async (session, text) => (await nc(daemon().port, `#!session ${session}\n${text}`, 60_000)).stdout,
    live: (session, text) => start(['nc.openbsd', '-N', '127.0.0.1', String(daemon().port)], `#!session ${session}\n${text}`),
    fifo: () => {
      const p = path.join(daemon().home, `agent-fifo-${++n}`);
      execFileSync('mkfifo', [p]);
      return { path: p, release: () => fs.writeFileSync(p, 'go\n') };
    },
  };
}
