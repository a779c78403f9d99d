// The new daemon's side of an upgrade: read the handover document (fd 3), adopt every session
// (frozen: nothing is read yet) and tell the old daemon; at its "commit", listen on the inherited
// sockets, let the sessions go on, tell systemd we are the main process now, and say "ready".
// Until "commit" nothing was read or accepted here, so a failure leaves the old daemon whole: we
// say why and exit.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { RelayError } from '../../errors';
import type { Logger } from '../../log';
import { VERSION } from '../../version';
import type { InheritedListener } from '../server/listeners';
import type { RunningServer } from '../server/server';
import type { Registry } from '../session/registry';
import type { Session } from '../session/session';
import { decodeDocument, READABLE_FORMATS, readFormat, type HandoverDocument } from './document';
import { asFromOld, type FromNew } from './messages';
import { sdNotify } from './sd-notify';
import { closeOnExec } from '../pty/termios';
import { FIRST_INHERITED_FD, HANDOVER_ENV, IPC_FD } from './successor';

// Exit status of a new daemon that could not take over (the old one serves on).
export const EXIT_HANDOVER_FAILED = 3;
// Test aid: the new process stops itself (SIGSTOP) right before saying "adopted" (`adopted`), or
// once it took every holder over after the commit, before saying "ready" (`relinked`), so that a
// test can kill it half-way through a handover. Never set in normal use.
const PAUSE_ENV = 'PTY_RELAY_TEST_HANDOVER_PAUSE';

// What a daemon taking over from an earlier one starts from (takeOver below).
export interface Adoption {
  runtimeDir: string; // the earlier daemon's instance directory, kept
  listeners: InheritedListener[];
  // Creates the handed-over sessions in the registry, frozen.
  adopt(registry: Registry): void;
  // Resolves once the earlier daemon lets go; only then are the sockets listened on.
  beforeListening(): Promise<void>;
}

// Takes over from the daemon that started this process, starting the new daemon with `start`
// (the caller's startDaemon, daemon/index.ts, which sits above this folder); exits when it cannot.
export async function takeOver<D extends { server: RunningServer }>(log: Logger, fd: number, start: (adoption: Adoption) => Promise<D>): Promise<D> {
  if (process.send === undefined) throw new RelayError('PR_ERR_HANDOVER', `${HANDOVER_ENV} is set, but there is no channel to the earlier daemon`);
  const pending: Array<{ socket: net.Socket; viaUnix: boolean }> = [];
  let daemon: D | null = null;
  let commit: () => void = () => undefined;
  let abort: (err: Error) => void = () => undefined;
  const committed = new Promise<void>((resolve, reject) => {
    commit = resolve;
    abort = reject;
  });
  process.on('message', (m: unknown, handle: unknown) => {
    const msg = asFromOld(m, handle);
    if (msg?.t === 'commit') commit();
    else if (msg?.t === 'conn') {
      const socket = handle as net.Socket;
      socket.allowHalfOpen = true; // as our own servers make them: a client's EOF must not end our reply
      socket.setNoDelay(true);
      if (daemon === null) pending.push({ socket, viaUnix: msg.viaUnix });
      else daemon.server.handover.serve(socket, msg.viaUnix);
    }
  });
  process.once('disconnect', () => abort(new RelayError('PR_ERR_HANDOVER', 'the earlier daemon went away before it let go')));
  tell({ t: 'hello', version: VERSION, formats: [...READABLE_FORMATS] });
  try {
    const doc = await readDocument(fd);
    log.info({ evt: 'upgrade.adopting', from: doc.from, sessions: doc.sessions.length }, `taking over from pid ${doc.from.pid} (${doc.from.version})`);
    closeUnnamed(doc);
    keepFromPrograms(doc, fd, log);
    const adopted: Array<{ session: Session; input: Buffer }> = [];
    daemon = await start({
      runtimeDir: doc.runtimeDir,
      listeners: doc.listeners,
      adopt: (registry) => {
        for (const s of doc.sessions) adopted.push({ session: registry.adopt(s.state, s.fd), input: s.input });
      },
      beforeListening: () => {
        if (process.env[PAUSE_ENV] === 'adopted') process.kill(process.pid, 'SIGSTOP');
        tell({ t: 'adopted', sessions: adopted.length });
        return committed;
      },
    });
    // The earlier daemon let go: its sessions' holders are ours now (their kept output first).
    for (const { session, input } of adopted) {
      await session.relink();
      session.thaw(input);
    }
    if (process.env[PAUSE_ENV] === 'relinked') process.kill(process.pid, 'SIGSTOP');
    for (const p of pending.splice(0)) daemon.server.handover.serve(p.socket, p.viaUnix);
    const notified = await sdNotify({ MAINPID: String(process.pid), READY: '1' });
    tell({ t: 'ready', pid: process.pid, version: VERSION, notify: notified.outcome, ...(notified.error === undefined ? {} : { notifyError: notified.error }) });
    log.info({ evt: 'upgrade.serving', sessions: adopted.length, notify: notified.outcome }, 'took over');
    return daemon;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ evt: 'upgrade.takeover_failed', err: message }, `cannot take over: ${message}`);
    if (process.connected) process.send?.({ t: 'failed', message } satisfies FromNew, () => process.exit(EXIT_HANDOVER_FAILED));
    else process.exit(EXIT_HANDOVER_FAILED);
    return new Promise<never>(() => undefined);
  }
}

// Closes the inherited fds the document does not name (a PTY whose session ended meanwhile).
function closeUnnamed(doc: HandoverDocument): void {
  const named = new Set([...doc.listeners.map((l) => l.fd), ...doc.sessions.map((s) => s.fd)]);
  for (let fd = FIRST_INHERITED_FD; fd < FIRST_INHERITED_FD + doc.inherited; fd++) {
    if (named.has(fd)) continue;
    try {
      fs.closeSync(fd);
    } catch {
      // not open
    }
  }
}

// Marks every fd this process inherited close-on-exec (the spawn cleared the flag to pass them):
// else every shell started from now on would hold the other sessions' PTY masters, the listening
// sockets and the channel to the earlier daemon. (Node 20's libuv already marks the fds it wraps in
// handles here, measured in /proc/PID/fdinfo; this does not rely on that.)
function keepFromPrograms(doc: HandoverDocument, documentFd: number, log: Logger): void {
  const fds = [documentFd, IPC_FD, ...doc.listeners.map((l) => l.fd), ...doc.sessions.flatMap((s) => (s.fd === null ? [] : [s.fd]))];
  const open = fds.filter((f) => isOpen(f) && !closeOnExec(f));
  if (open.length > 0) log.warn({ evt: 'upgrade.fds_inheritable', fds: open }, `cannot mark fds ${open.join(', ')} close-on-exec: programs started from now on inherit them`);
}

function isOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

function tell(msg: FromNew): void {
  if (process.connected) process.send?.(msg);
}

// Reads the whole document from `fd`, refusing a format this build does not read before the rest.
function readDocument(fd: number): Promise<HandoverDocument> {
  return new Promise((resolve, reject) => {
    const pipe = new net.Socket({ fd, readable: true, writable: false });
    const chunks: Buffer[] = [];
    let rest: Buffer | null = null;
    const fail = (err: Error): void => {
      pipe.destroy();
      reject(err);
    };
    pipe.on('data', (c: Buffer) => {
      if (rest !== null) return void chunks.push(c);
      chunks.push(c);
      try {
        const head = readFormat(Buffer.concat(chunks));
        if (head === null) return;
        if (!READABLE_FORMATS.includes(head.format)) {
          return fail(new RelayError('PR_ERR_HANDOVER', `the handover document has format ${head.format}; this pty-relay (${VERSION}) reads format ${READABLE_FORMATS.join(', ')}`));
        }
        rest = head.rest;
        chunks.length = 0;
        chunks.push(rest);
      } catch (err) {
        fail(err as Error);
      }
    });
    pipe.on('error', fail);
    pipe.on('end', () => {
      if (rest === null) return fail(new RelayError('PR_ERR_HANDOVER', 'the handover document ended before its first line'));
      try {
        const doc = decodeDocument(Buffer.concat(chunks));
        if (!READABLE_FORMATS.includes(doc.format) || !Array.isArray(doc.sessions) || !Array.isArray(doc.listeners)) throw new RelayError('PR_ERR_HANDOVER', 'the handover document lacks its sessions or sockets');
        resolve(doc);
      } catch (err) {
        fail(err as Error);
      }
    });
  });
}
