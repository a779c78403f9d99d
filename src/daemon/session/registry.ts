// Sessions by name. Shell sessions start lazily: the first request that names one creates it.
import * as path from 'node:path';
import { RelayError } from '../../errors';
import { activityOf } from '../jobs/activity';
import type { Logger } from '../../log';
import type { SessionSummary } from '../../protocol/frame';
import { EventBus } from '../events/bus';
import { Session, type Adoption, type Predecessor, type SessionConfig, type SessionHandover } from './session';
import { ensurePrivateDir } from '../base/runtime-dir';
import { holderSummary } from './holder-summary';
import { cgroupsInWords, SessionSandbox, type SandboxConfig } from '../sandbox/sandbox';

export type SessionDefaults = Omit<SessionConfig, 'dir' | 'command' | 'onGone' | 'sandbox' | 'emit'>;

// What a request asks for a session it may create: no sandbox (undefined), the default profile
// (null), or a named profile.
export type SandboxRequest = string | null | undefined;

// Names of ended sessions remembered (for the notice of the next session of that name).
const ENDED_KEPT = 100;

// Who ended a session: `#!end`, a kill (`pty-relay kill`, pty-client, the web page), the idle
// sweep, or the daemon itself, after its program could not start (not remembered).
export type EndedBy = 'end' | 'kill' | 'idle' | 'unstarted';

export class Registry {
  private readonly sessions = new Map<string, Session>();
  private readonly lostHolders = new Set<string>(); // adopted from a journal whose holder was gone
  // How sessions were ended here, by name (the latest ENDED_KEPT): the next session of that name
  // tells its first reply that it is a new one, and why.
  private readonly ended = new Map<string, Predecessor>();
  // Every session's events (events/): `pty-relay events` readers and the --on-event hook.
  readonly events = new EventBus();

  private sweeper: NodeJS.Timeout | null = null;
  private sweepsHeld = false;
  private cgroupsTold = false; // the log said once what enforces sandboxes' caps here

  constructor(
    private readonly dir: string,
    private readonly defaults: SessionDefaults,
    private readonly log: Logger,
    private readonly maxSessions: number,
    private readonly idleTimeoutMs: number,
    private readonly sandboxes: SandboxConfig,
  ) {
    // Sandbox profiles may carry idle timeouts of their own: the sweep runs for the shortest.
    const timeouts = [idleTimeoutMs, ...[...sandboxes.profiles.values()].map((p) => p.idleTimeoutMs)].filter((ms) => ms > 0);
    if (timeouts.length > 0) {
      const shortest = Math.min(...timeouts);
      this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(100, shortest / 4)));
      this.sweeper.unref();
    }
  }

  // Ends sessions nobody has used for their idle timeout (the sandbox profile's, else the daemon's):
  // no output, input, exec or attached client.
  private sweep(): void {
    if (this.sweepsHeld) return;
    for (const s of this.list()) {
      const idleMs = s.sandbox !== undefined && s.sandbox.idleTimeoutMs > 0 ? s.sandbox.idleTimeoutMs : this.idleTimeoutMs;
      if (idleMs > 0 && s.audience.idleMs >= idleMs && s.audience.clients === 0 && s.busy() === null) {
        this.log.info({ evt: 'session.idle_timeout', session: s.name, idleMs: s.audience.idleMs }, 'idle session ended');
        this.kill(s.name, 'idle', idleMs);
      }
    }
  }

  // The session called `name`, or undefined.
  find(name: string): Session | undefined {
    return this.sessions.get(name);
  }

  // The shell session called `name`, created on first use (in the sandbox `sandbox` asks for);
  // throws PR_ERR_LIMIT past --max-sessions, PR_ERR_SANDBOX when the sandbox cannot be made or an
  // existing session does not run in the one asked for. The name must already be validated.
  get(name: string, sandbox?: SandboxRequest): Session {
    const s = this.sessions.get(name);
    if (s === undefined) return this.make(name, undefined, undefined, undefined, sandbox);
    if (sandbox !== undefined) {
      const want = sandbox ?? this.sandboxes.defaultProfile;
      const has = s.sandbox?.profileName;
      if (has !== want) throw new RelayError('PR_ERR_SANDBOX', `session "${name}" exists already ${has === undefined ? 'without a sandbox' : `in sandbox profile "${has}"`}; a sandbox is chosen when a session is made: use another name, or end it first (pty-relay kill ${name})`);
    }
    return s;
  }

  // Starts a session that runs `command` (undefined: an integrated shell), in the sandbox asked
  // for; null when the name is taken. Throws PR_ERR_LIMIT past --max-sessions, PR_ERR_SANDBOX.
  create(name: string, command: string[] | undefined, cols: number, rows: number, sandbox?: SandboxRequest): Session | null {
    if (this.sessions.has(name)) return null;
    return this.make(name, command, cols, rows, sandbox);
  }

  // Ends a session's program and forgets the session; its jobs are told who ended it (`idleMs`:
  // how long it was unused). Returns false when there is no such session.
  kill(name: string, by: EndedBy = 'kill', idleMs = 0): boolean {
    const s = this.sessions.get(name);
    if (s === undefined) return false;
    this.sessions.delete(name);
    this.lostHolders.delete(name);
    const how = by === 'end' ? 'with #!end' : by === 'kill' ? 'by a kill (pty-relay kill, pty-client or the web page)' : by === 'idle' ? `after ${Math.round(idleMs / 60_000)} min unused (--idle-timeout)` : 'as its program could not start';
    const next = `the next request that names "${name}" starts a new session`;
    s.close(`session "${name}" was ended ${how} before this request ran: it did not run; ${next}`, `session "${name}" was ended ${how} while this request ran: it ended with the shell; ${next}`);
    this.ended.delete(name);
    if (by !== 'unstarted') this.ended.set(name, { how, at: new Date(), nextJob: s.jobs.nextId });
    for (const old of this.ended.keys()) if (this.ended.size > ENDED_KEPT) this.ended.delete(old);
    this.events.publish({ type: 'session-ended', session: name, reason: by === 'idle' ? 'idle' : 'killed' });
    return true;
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  summaries(): SessionSummary[] {
    return this.list().map((s) => {
      const info = s.info();
      return {
      name: s.name,
      pid: s.pid,
      command: s.command,
      shell: !s.isCommand,
      state: info.state,
      holder: holderSummary(info.holder, info.pid === null && this.lostHolders.has(s.name)),
      clients: s.audience.clients,
      createdAt: s.createdAt.toISOString(),
      idleMs: s.audience.idleMs,
      bytes: s.audience.ring.head,
      ringAllocated: s.audience.ring.allocated,
      ...(s.sandbox === undefined ? {} : { sandbox: s.sandbox.summary() }),
      ...(s.isCommand ? {} : { activity: activityOf(s.jobs) }),
      };
    });
  }

  // While held, no idle session is ended (a handover is under way).
  holdSweeps(held: boolean): void {
    this.sweepsHeld = held;
  }

  // Takes over a session an earlier daemon handed over, with its PTY's inherited master fd (null:
  // no program runs). The session stays frozen until its thaw().
  // A crashed daemon's session comes with its holder (`from.link`, `from.pending`) and keeps its
  // own directory (`dir`: its rc and script files are there, and a sandbox binds it at that path).
  // A sandboxed session keeps its sandbox (state.sandbox: its cgroup, its profile).
  adopt(state: SessionHandover, fd: number | null, from: Omit<Adoption, 'state' | 'fd'> & { dir?: string } = {}): Session {
    if (from.lostShell === true) this.lostHolders.add(state.name);
    return this.make(state.name, state.command ?? undefined, state.audience.cols, state.audience.rows, undefined, { state, fd, ...from }, from.dir);
  }

  // Ends every session's program; used at shutdown.
  closeAll(reason: string): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    for (const s of this.sessions.values()) {
      s.close(reason);
      this.events.publish({ type: 'session-ended', session: s.name, reason: 'shutdown' });
    }
  }

  // Lets go of every session without ending it (their holders keep them); used at a shutdown that
  // keeps the sessions for the next daemon.
  detachAll(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    for (const s of this.sessions.values()) s.detach();
  }

  private make(name: string, command: string[] | undefined, cols = this.defaults.cols, rows = this.defaults.rows, sandboxAsked: SandboxRequest = undefined, adopt?: Adoption, ownDir?: string): Session {
    // Sessions handed over are all taken, even past a --max-sessions that was lowered meanwhile.
    if (this.sessions.size >= this.maxSessions && adopt === undefined) {
      throw new RelayError('PR_ERR_LIMIT', `too many sessions (${this.maxSessions}, see --max-sessions); end one with: pty-relay kill NAME`);
    }
    const dir = ensurePrivateDir(ownDir ?? path.join(this.dir, name));
    const handed = adopt?.state.sandbox;
    const sandbox = handed !== undefined ? SessionSandbox.restore(handed) : sandboxAsked === undefined ? undefined : SessionSandbox.create(this.sandboxes, sandboxAsked, name, dir, this.sandboxes.hide);
    if (sandbox !== undefined && !this.cgroupsTold) {
      this.cgroupsTold = true;
      this.log.info({ evt: 'sandbox.cgroups' }, cgroupsInWords());
    }
    if (sandbox !== undefined) this.log.info({ evt: 'sandbox.made', session: name, profile: sandbox.profileName, caps: sandbox.summary().caps }, 'sandboxed session');
    const s = new Session(
      name,
      {
        ...this.defaults,
        cols,
        rows,
        env: { ...this.defaults.env, PTY_RELAY_SESSION: name },
        dir,
        command,
        sandbox,
        onGone: (status, signal) => {
          sandbox?.dispose();
          if (this.sessions.get(name) !== s) return;
          this.sessions.delete(name);
          this.events.publish({ type: 'session-ended', session: name, reason: 'exited', status, signal });
        },
        emit: (e) => this.events.publish(e),
      },
      this.log.child({ session: name }),
      adopt,
    );
    this.sessions.set(name, s);
    const before = adopt === undefined ? this.ended.get(name) : undefined;
    if (before !== undefined) {
      this.ended.delete(name);
      s.follows(before);
    }
    if (adopt === undefined) this.events.publish({ type: 'session-started', session: name, command: s.command, program: s.isCommand });
    return s;
  }
}
