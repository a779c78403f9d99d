// The old daemon's view of the new process during a handover: its messages in order, and its end
// (an exit, a signal, a failure to start) turned into one clear error for whoever waits.
import type { ChildProcess } from 'node:child_process';
import type * as net from 'node:net';
import { RelayError } from '../../errors';
import { asFromNew, type FromNew, type FromOld } from './messages';
import { DOCUMENT_FD } from './successor';

// After the new process exited, how long its last messages may still be on their way.
const LAST_WORDS_MS = 1_000;

export class SuccessorLink {
  private readonly inbox: FromNew[] = [];
  private waiter: (() => void) | null = null;
  private gone: string | null = null;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (m) => {
      const msg = asFromNew(m);
      if (msg !== null) this.inbox.push(msg);
      this.wake();
    });
    child.on('error', (err) => this.end(`could not be started (${err.message})`));
    child.on('exit', (code, signal) => {
      const how = signal !== null ? `was killed by ${signal}` : `exited with status ${code ?? '?'}`;
      // Messages sent just before the exit may still be in the channel: read them first.
      if (!child.connected) return this.end(how);
      const timer = setTimeout(() => this.end(how), LAST_WORDS_MS);
      child.once('disconnect', () => {
        clearTimeout(timer);
        this.end(how);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  // The pipe the document goes down (fd 3 of the new process).
  get document(): net.Socket {
    return this.child.stdio[DOCUMENT_FD] as net.Socket;
  }

  // The next message, within `ms`; rejects when the process ended first or stayed silent.
  async next(ms: number, what: string): Promise<FromNew> {
    const until = Date.now() + ms;
    for (;;) {
      const msg = this.inbox.shift();
      if (msg !== undefined) return msg;
      const pid = this.child.pid ?? '?';
      if (this.gone !== null) throw new RelayError('PR_ERR_UPGRADE', `the new daemon (pid ${pid}) ${this.gone} before ${what}; see the daemon's log for its last words`);
      const left = until - Date.now();
      if (left <= 0) throw new RelayError('PR_ERR_UPGRADE', `the new daemon (pid ${pid}) was still not done ${what} after ${ms / 1000} s, and was killed`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  send(msg: FromOld): void {
    if (this.child.connected) this.child.send(msg);
  }

  // Hands a connection over, unread; resolves once it was sent (or could not be).
  pass(socket: net.Socket, viaUnix: boolean): Promise<void> {
    return new Promise((resolve) => {
      if (!this.child.connected) return resolve();
      const msg: FromOld = { t: 'conn', viaUnix };
      this.child.send(msg, socket, { keepOpen: false }, () => resolve());
    });
  }

  // Ends the new process at once (a handover called off).
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private end(how: string): void {
    this.gone ??= how;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
