// Is the web terminal there? One plain request to the daemon's port, as a browser would make it.
import * as http from 'node:http';
import { RelayError } from '../errors';

// How long the check waits for the daemon's answer.
const PROBE_MS = 3_000;

// Resolves when the daemon on `port` serves the web terminal; rejects with PR_ERR_WEB saying why not.
export function probeWeb(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (why: string, cause?: unknown): void => reject(new RelayError('PR_ERR_WEB', why, { cause }));
    const req = http.get({ host: 'localhost', port, path: '/', headers: { Host: `localhost:${port}` }, timeout: PROBE_MS }, (res) => {
      res.resume();
      // Signed out, the daemon answers with its 403 page and a Content-Security-Policy.
      if (res.statusCode === 403 && res.headers['content-security-policy'] !== undefined) resolve();
      else fail(`something else answers on port ${port} (HTTP ${res.statusCode})`);
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') fail(`nothing listens on port ${port}: is the daemon running (pty-relay serve --web)?`, err);
      else if (err.code?.startsWith('HPE_') === true || err.message === 'socket hang up') fail(`the daemon on port ${port} does not serve the web terminal: start it with --web (or PTY_RELAY_WEB=1)`, err);
      else fail(`cannot check the daemon on port ${port}: ${err.message}`, err);
    });
  });
}
