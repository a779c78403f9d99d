// Exec requests to a test file's daemon through real nc, and a FIFO a job blocks on until the
// test releases it (no sleeping: the job waits for the test, not the other way round).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nc, start, type LiveClient } from './clients';
import type { LogLine, TestDaemon } from './daemon';

export interface Fifo {
  path: string;
  release(): void; // writes a line: the `read` blocked on it returns
}

export interface ExecRequests {
  // The whole reply to `text`, sent in `session` (null: no #!session line, the default session).
  req(session: string | null, text: string): Promise<string>;
  // A request whose client stays while the test goes on (kill it, or await `done`).
  live(session: string, text: string): LiveClient;
  // A new named pipe in the daemon's HOME.
  fifo(): Fifo;
  // Resolves once the daemon logged the end of `job` in `session`.
  ended(session: string, job: number): Promise<LogLine>;
}

// The requests for the daemon `daemon()` gives (a file starts its daemon in beforeAll, after this
// is called).
export function execRequests(daemon: () => TestDaemon): ExecRequests {
  let fifos = 0;
  const withSession = (session: string | null, text: string): string => (session === null ? text : `#!session ${session}\n${text}`);
  return {
    req: async (session, text) => (await nc(daemon().port, withSession(session, text))).stdout,
    live: (session, text) => start(['nc.openbsd', '-N', '127.0.0.1', String(daemon().port)], withSession(session, text)),
    fifo: () => {
      const p = path.join(daemon().home, `fifo-${++fifos}`);
      execFileSync('mkfifo', [p]);
      return { path: p, release: () => fs.writeFileSync(p, 'go\n') };
    },
    ended: (session, job) => daemon().waitLog('exec.done', (l) => l.session === session && l.job === job),
  };
}
