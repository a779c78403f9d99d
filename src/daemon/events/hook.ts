// `serve --on-event CMD`: runs CMD through /bin/sh -c for each event its filter lets through, with
// the event as one JSON line on stdin (and its type and session in PTY_RELAY_EVENT_TYPE and
// PTY_RELAY_EVENT_SESSION), as git runs its hooks. It never blocks the daemon: the hook starts on a
// later turn, its stdin is written without waiting, and its status is only logged. Bounds: a
// time limit (then its whole process group is killed), a rate limit (token bucket), and at most
// HOOK_MAX_RUNNING at once; an event past a bound is dropped and logged. Logs carry the event's
// type, the status and the time taken, never the event's text (commands and prompts).
import { spawn } from 'node:child_process';
import type { Logger } from '../../log';
import type { EventFilter, RelayEvent } from '../../protocol/events';
import { TokenBucket, type BucketConfig } from '../base/rate-limit';
import type { EventBus } from './bus';

export interface HookConfig {
  command: string;
  filter: EventFilter;
  timeoutMs: number;
  rate: BucketConfig; // hooks started per second (burst: at once)
  env: NodeJS.ProcessEnv; // the sessions' environment: no PTY_RELAY_* secrets
}

// Hooks running at once: a slow webhook must not pile up processes.
export const HOOK_MAX_RUNNING = 4;

export class EventHook {
  private running = 0;
  private readonly bucket: TokenBucket;
  private dropped = 0; // events not run since the last hook that ran (rate or concurrency)
  private readonly unsubscribe: () => void;

  constructor(
    bus: EventBus,
    private readonly config: HookConfig,
    private readonly log: Logger,
  ) {
    this.bucket = new TokenBucket(config.rate, Date.now());
    this.unsubscribe = bus.subscribe((e) => {
      if (e.type !== 'dropped' && config.filter(e)) this.offer(e);
    });
  }

  private offer(e: RelayEvent): void {
    const why = this.running >= HOOK_MAX_RUNNING ? 'busy' : !this.bucket.tryTake(1, Date.now()) ? 'rate' : null;
    if (why !== null) {
      if (this.dropped++ === 0) this.log.warn({ evt: 'hook.dropped', type: e.type, why }, why === 'rate' ? 'event hook rate limit reached: dropping events' : `${HOOK_MAX_RUNNING} event hooks still running: dropping events`);
      return;
    }
    this.running++;
    const dropped = this.dropped;
    this.dropped = 0;
    setImmediate(() => this.run(e, dropped));
  }

  private run(e: RelayEvent, droppedBefore: number): void {
    const started = Date.now();
    let timedOut = false;
    let child;
    try {
      child = spawn('/bin/sh', ['-c', this.config.command], {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true, // its own process group, so the time limit can end all of it
        env: { ...this.config.env, PTY_RELAY_EVENT_TYPE: e.type, PTY_RELAY_EVENT_SESSION: e.session ?? '' },
      });
    } catch (err) {
      this.running--;
      this.log.warn({ evt: 'hook.spawn_failed', type: e.type, err: (err as Error).message }, 'cannot start the event hook');
      return;
    }
    const pid = child.pid;
    this.log.debug({ evt: 'hook.started', type: e.type, pid }, 'event hook started');
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, this.config.timeoutMs);
    timer.unref();
    child.on('error', (err) => this.log.warn({ evt: 'hook.spawn_failed', type: e.type, err: err.message }, 'cannot start the event hook'));
    child.stdin?.on('error', () => undefined); // a hook that does not read its stdin
    child.stdin?.end(`${JSON.stringify(e)}\n`);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      this.running--;
      const fields = { type: e.type, code, signal, ms: Date.now() - started, droppedBefore };
      if (timedOut) this.log.warn({ evt: 'hook.timeout', ...fields, limitMs: this.config.timeoutMs }, 'event hook ran past its time limit: its process group was killed');
      else if (code !== 0) this.log.warn({ evt: 'hook.failed', ...fields }, 'event hook failed (its status is otherwise ignored)');
      else this.log.info({ evt: 'hook.ran', ...fields }, 'event hook ran');
    });
  }

  close(): void {
    this.unsubscribe();
  }
}
