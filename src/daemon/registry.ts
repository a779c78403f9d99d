// Sessions by name. Sessions start lazily: the first request that names one creates it.
import * as path from 'node:path';
import type { Logger } from '../log';
import { Session, type SessionConfig } from './session';
import { ensurePrivateDir } from './runtime-dir';

export type SessionDefaults = Omit<SessionConfig, 'dir'>;

export class Registry {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly dir: string,
    private readonly defaults: SessionDefaults,
    private readonly log: Logger,
  ) {}

  // The session called `name`, created on first use. The name must already be validated.
  get(name: string): Session {
    let s = this.sessions.get(name);
    if (s === undefined) {
      const dir = ensurePrivateDir(path.join(this.dir, name));
      s = new Session(name, { ...this.defaults, env: { ...this.defaults.env, PTY_RELAY_SESSION: name }, dir }, this.log.child({ session: name }));
      this.sessions.set(name, s);
    }
    return s;
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  // Ends every session's shell; used at shutdown.
  closeAll(reason: string): void {
    for (const s of this.sessions.values()) s.close(reason);
  }
}
