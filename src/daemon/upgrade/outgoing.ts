// upgrade/ owns handing a daemon's sessions to another process: this old side, the new side
// (incoming.ts, started by successor.ts), what they say to each other (messages.ts, link.ts), the
// handover document (document.ts), telling systemd (sd-notify.ts), and taking over the sessions of
// a daemon that died without handing them over (recover.ts).
//
// The old daemon's side of `pty-relay upgrade`: hand every session, the listening sockets and the
// connections that arrive meanwhile to a new process started from the binary installed now, or,
// when anything goes wrong before that process serves, carry on as if nothing had happened.
//
//   1. start    the new process starts while everything runs on here, with the sockets and the
//               PTY masters as fds; it says which document formats it reads (else: refused)
//   2. drain    new connections are parked unread; exec requests in flight get DRAIN_MS to finish,
//               then their replies end with "still running as job N …; the daemon is being upgraded"
//   3. freeze   attached clients are let go (they reconnect by themselves); no PTY is read or written;
//               the document goes to the new process (restarted with every fd, should a session
//               have got a new PTY since step 1)
//   4. adopted → commit → ready: it serves; we stop listening, pass it the parked connections,
//               answer, and exit without touching a shell
//   Any failure before `ready`: the new process is killed, the sessions thaw, parked connections
//   are served here, and the answer says why.
import { RelayError } from '../../errors';
import type { Logger } from '../../log';
import type { Reply, UpgradeReport } from '../../protocol/frame';
import { VERSION } from '../../version';
import type { InheritedListener } from '../server/listeners';
import type { RunningServer } from '../server/server';
import type { Registry } from '../session/registry';
import type { Session } from '../session/session';
import { encodeDocument, HANDOVER_FORMAT, type HandoverDocument } from './document';
import { SuccessorLink } from './link';
import type { FromNew } from './messages';
import { FIRST_INHERITED_FD, spawnSuccessor } from './successor';

export interface UpgradeDeps {
  server: RunningServer;
  registry: Registry;
  log: Logger;
  runtimeDir: string;
}

export interface UpgradeOutcome {
  reply: Reply;
  after: () => void; // run once the reply is sent: the old process exits after a handover
}

// An exec request that finishes within this is answered by the old daemon; one still running is
// told it continues as a job. Short, because new connections wait (parked, never refused) meanwhile.
const DRAIN_MS = 1_500;
// Replies told "continues as job N" get this long to reach their clients (so their output counts as
// delivered and `#!wait` does not repeat it).
const FLUSH_MS = 2_000;
// From spawn to "hello": Node's start, and a first run of the single binary extracting its addon.
const START_TIMEOUT_MS = 20_000;
// From the document to "adopted": reading it and adopting every session (sessions are frozen).
const ADOPT_TIMEOUT_MS = 10_000;
// From "commit" to "ready": listening, and systemd-notify (which waits up to 5 s for systemd).
const READY_TIMEOUT_MS = 10_000;
// How often the drain looks at the connections still busy.
const POLL_MS = 10;

export class Upgrader {
  private running = false;
  // The sessions now belong to another process: shutting down must not hang up their shells.
  handedOver = false;

  constructor(private readonly d: UpgradeDeps) {}

  // Runs the whole upgrade; never throws: a failure is the reply.
  async upgrade(): Promise<UpgradeOutcome> {
    const { log } = this.d;
    if (this.handedOver) return failed('this daemon has already handed its sessions to a new process');
    if (this.running) return failed('an upgrade is already under way');
    this.running = true;
    const started = Date.now();
    log.info({ evt: 'upgrade.start', version: VERSION }, 'upgrade requested');
    try {
      return await this.handOver(started);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ evt: 'upgrade.failed', err: message, ms: Date.now() - started }, `upgrade failed; this daemon serves on: ${message}`);
      return failed(`upgrade failed; this daemon (pid ${process.pid}, ${VERSION}) serves on: ${message}`);
    } finally {
      this.running = false;
    }
  }

  private async handOver(started: number): Promise<UpgradeOutcome> {
    const { server, registry, log } = this.d;
    let passed = this.inheritance();
    let link = await this.start(passed);
    let frozen: Frozen[] = [];
    server.handover.park(true);
    registry.holdSweeps(true);
    try {
      await this.drain();
      const frozenAt = Date.now();
      server.handover.letGo();
      frozen = await Promise.all(registry.list().map(async (session) => ({ session, input: await session.freeze() })));
      if (!this.fits(passed)) {
        // A session got a new PTY since the new process started: start another with every fd.
        link.kill();
        passed = this.inheritance();
        link = await this.start(passed);
        log.info({ evt: 'upgrade.restarted' }, 'the sessions changed meanwhile; the new daemon was started again');
      }
      const doc = await this.document(frozen, passed);
      log.info({ evt: 'upgrade.frozen', sessions: frozen.length, ms: Date.now() - started }, 'sessions frozen; handing them over');
      const pipe = link.document;
      pipe.on('error', () => undefined); // a new process that died: the link says how
      for (const b of encodeDocument(doc)) pipe.write(b);
      pipe.end();
      const adopted = await link.next(ADOPT_TIMEOUT_MS, 'taking over');
      if (adopted.t !== 'adopted') throw outOfTurn(adopted, 'could not take over');
      link.send({ t: 'commit' });
      const ready = await link.next(READY_TIMEOUT_MS, 'serving');
      if (ready.t !== 'ready') throw outOfTurn(ready, 'failed as it started serving');
      this.handedOver = true;
      server.handover.stopListening();
      const parked = server.handover.takeParked();
      await Promise.all(parked.map((p) => link.pass(p.socket, p.viaUnix)));
      const report: UpgradeReport = { from: { pid: process.pid, version: VERSION }, to: { pid: ready.pid, version: ready.version }, sessions: frozen.length, connections: parked.length, ms: Date.now() - started, frozenMs: Date.now() - frozenAt };
      log.info({ evt: 'upgrade.done', ...report, notify: ready.notify }, `handed ${frozen.length} session(s) to pid ${ready.pid}`);
      if (ready.notify === 'failed') {
        // systemd still takes this process for the main one: were it to exit, systemd would stop
        // the unit and kill every shell. Stay, serving nothing, until stopped.
        report.warning = `systemd was not told of the new main process (${ready.notifyError ?? 'systemd-notify failed'}); pid ${process.pid} stays, idle, so that systemd does not stop the unit`;
        log.error({ evt: 'upgrade.notify_failed', err: ready.notifyError }, report.warning);
        return { reply: { ok: true, upgrade: report }, after: () => undefined };
      }
      return { reply: { ok: true, upgrade: report }, after: () => process.exit(0) };
    } catch (err) {
      if (!this.handedOver) await this.rollBack(frozen, link);
      throw err;
    }
  }

  // Starts the new process with `passed` and waits for its hello: it must read our format.
  private async start(passed: Inheritance): Promise<SuccessorLink> {
    const link = new SuccessorLink(spawnSuccessor(passed.fds));
    try {
      const hello = await link.next(START_TIMEOUT_MS, 'starting');
      if (hello.t !== 'hello') throw outOfTurn(hello, 'could not start');
      if (!hello.formats.includes(HANDOVER_FORMAT)) {
        const reads = hello.formats.join(', ') || 'none';
        throw new RelayError('PR_ERR_UPGRADE', `the installed pty-relay ${hello.version} reads handover format ${reads}, and this daemon (${VERSION}) writes format ${HANDOVER_FORMAT}; install a version that reads it, or restart the daemon (its sessions end)`);
      }
      return link;
    } catch (err) {
      link.kill();
      throw err;
    }
  }

  // What the new process inherits: the listening sockets, then every session's PTY master.
  private inheritance(): Inheritance {
    const listeners = this.d.server.handover.listeners();
    const fds = listeners.map((l) => l.fd);
    const ptys = new Map<Session, { childFd: number; fd: number; pid: number | null }>();
    for (const session of this.d.registry.list()) {
      const fd = session.ptyFd;
      if (fd === null) continue;
      fds.push(fd);
      ptys.set(session, { childFd: FIRST_INHERITED_FD + fds.length - 1, fd, pid: session.pid });
    }
    return { fds, listeners: listeners.map((l, i) => ({ fd: FIRST_INHERITED_FD + i, viaUnix: l.viaUnix, ...(l.guard === true ? { guard: true } : {}) })), ptys };
  }

  // True when every session's PTY is still the one the new process inherited.
  private fits(passed: Inheritance): boolean {
    return this.d.registry.list().every((s) => {
      const p = passed.ptys.get(s);
      return s.ptyFd === null || (p !== undefined && p.fd === s.ptyFd && p.pid === s.pid);
    });
  }

  // Lets exec requests in flight finish; those that do not are told their job continues.
  private async drain(): Promise<void> {
    const { server, registry, log } = this.d;
    if (await settled(() => server.handover.busy() === 0, DRAIN_MS)) return;
    let released = 0;
    for (const s of registry.list()) {
      for (const job of s.jobs.list()) {
        if (!job.live) continue;
        job.releaseReaders();
        released++;
      }
    }
    log.info({ evt: 'upgrade.released', jobs: released, busy: server.handover.busy() }, 'replies still running were told their job continues');
    await settled(() => server.handover.busy() === 0, FLUSH_MS);
  }

  // The document for the new process, which inherited `passed`.
  private async document(frozen: Frozen[], passed: Inheritance): Promise<HandoverDocument> {
    const sessions: HandoverDocument['sessions'] = [];
    for (const { session, input } of frozen) {
      const fd = session.ptyFd === null ? null : (passed.ptys.get(session)?.childFd ?? null);
      sessions.push({ fd, input, state: await session.handover() });
    }
    return { format: HANDOVER_FORMAT, from: { pid: process.pid, version: VERSION }, runtimeDir: this.d.runtimeDir, inherited: passed.fds.length, listeners: passed.listeners, sessions };
  }

  // Undoes the handover: the new process goes, the sessions and the parked connections carry on here.
  // A new process killed after the commit may have taken holders over: each is connected to again
  // (what it kept meanwhile comes first), else it would keep buffering, and hang up at last, a
  // session we serve.
  private async rollBack(frozen: Frozen[], link: SuccessorLink): Promise<void> {
    link.kill();
    for (const { session } of frozen) await session.relink(true);
    for (const { session, input } of frozen) session.thaw(input);
    this.d.registry.holdSweeps(false);
    this.d.server.handover.park(false);
    this.d.log.info({ evt: 'upgrade.rolled_back', sessions: frozen.length }, 'sessions thawed; serving on');
  }
}

interface Frozen {
  session: Session;
  input: Buffer; // typed, not yet written
}

interface Inheritance {
  fds: number[]; // ours, in the order the new process gets them
  listeners: InheritedListener[]; // as the new process sees them
  ptys: Map<Session, { childFd: number; fd: number; pid: number | null }>;
}

function outOfTurn(m: FromNew, what: string): RelayError {
  return new RelayError('PR_ERR_UPGRADE', m.t === 'failed' ? `the new daemon ${what}: ${m.message}` : `the new daemon said "${m.t}" out of turn`);
}

function failed(message: string): UpgradeOutcome {
  return { reply: { ok: false, code: 'PR_ERR_UPGRADE', message }, after: () => undefined };
}

// Resolves true once `done()` holds, false after `ms`.
async function settled(done: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}
