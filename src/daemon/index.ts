// `pty-relay serve`: wires the runtime directory, the session registry and the listeners.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../log';
import { MAX_FRAME_BYTES } from '../protocol/frame';
import type { AttachConfig } from './attach/attach';
import { EventHook, type HookConfig } from './events/hook';
import type { ExecConfig } from './exec/connection';
import type { AccessConfig } from './server/gate';
import type { BucketConfig } from './base/rate-limit';
import { Registry, type SessionDefaults } from './session/registry';
import type { RequestTiming } from './exec/request';
import { ensurePrivateDir, makeInstanceDir } from './base/runtime-dir';
import type { HttpHandOff } from './conn/context';
import { startServer, type RunningServer } from './server/server';
import type { Adoption } from './upgrade/incoming';
import { Upgrader, type UpgradeOutcome } from './upgrade/outgoing';
import { claimDir, recoverSessions } from './upgrade/recover';
import { holderProgram } from './holder/spawn';
import { TOKEN_FILE, WebTokens } from './web/token';
import { createWebServer } from './web/web-server';
import { WebPush, type PushConfig } from './push/push';
import { VERSION } from '../version';
import { removeSandboxes, type SandboxConfig } from './sandbox/sandbox';

export interface DaemonConfig {
  hosts: string[];
  port: number;
  unixSocket: string | null;
  runtimeBase: string;
  session: Omit<SessionDefaults, 'outputRate'>;
  limits: {
    handshakeMs: number;
    maxSessions: number;
    maxClients: number;
    sessionIdleMs: number; // 0: never end idle sessions
    outputRate: BucketConfig; // per session
    inputRate: BucketConfig; // per connection
  };
  access: AccessConfig;
  secret: string | null;
  exec: { timeoutMs: number; maxRequestBytes: number; timing: RequestTiming; logCommands: boolean };
  heartbeatTimeoutMs: number;
  web: boolean; // serve the web terminal to HTTP connections
  onEvent: Omit<HookConfig, 'env'> | null; // serve --on-event: a command run for events
  webPush: Omit<PushConfig, 'dir'>; // Web Push to subscribed browsers (with --web)
  keepSessions: boolean; // a shutdown leaves the sessions to their holders for the next daemon
  sandbox: SandboxConfig; // the profiles sandboxed sessions may ask for
}

// A browser sends its headers in one packet; 10 s covers a congested tunnel. A request's body and
// our answer get 30 s. Both are capped by --handshake-timeout (the tests use short ones).
const WEB_HEADERS_MS = 10_000;
const WEB_REQUEST_MS = 30_000;
// A hung-up sandbox ends within milliseconds (bwrap dies with its parent, taking its PID namespace);
// its cgroups can be removed only then. Bounded, so a stuck process never holds shutdown up.
const SANDBOX_CLEANUP_MS = 3_000;

export interface Daemon {
  server: RunningServer;
  registry: Registry;
  // Tells clients, hangs up every shell, closes the listeners and removes the runtime files.
  shutdown(reason: string): Promise<void>;
  // Hands every session to a new daemon process started from the installed binary (upgrade/).
  upgrade(): Promise<UpgradeOutcome>;
}

// Starts serving (taking over from an earlier daemon with `adoption`); rejects with PR_ERR_LISTEN
// or PR_ERR_RUNTIME_DIR when it cannot.
export async function startDaemon(config: DaemonConfig, log: Logger, adoption: Adoption | null = null): Promise<Daemon> {
  if (config.session.holder !== null && holderProgram() === null) {
    // An installation without the holder (an npm install whose package lost it): sessions as before.
    log.warn({ evt: 'daemon.no_holders' }, 'the session holder (pty-relay-holder) is missing or not executable: sessions end with the daemon');
    config = { ...config, session: { ...config.session, holder: null, journal: false } };
  }
  const dir = adoption === null ? makeInstanceDir(config.runtimeBase) : ensurePrivateDir(adoption.runtimeDir);
  claimDir(dir);
  const { limits } = config;
  const hide = [config.runtimeBase, ...(config.unixSocket === null ? [] : [path.dirname(config.unixSocket)]), ...(process.env.XDG_RUNTIME_DIR ? [process.env.XDG_RUNTIME_DIR] : [])];
  const registry = new Registry(dir, { ...config.session, outputRate: limits.outputRate }, log, limits.maxSessions, limits.sessionIdleMs, { ...config.sandbox, hide });
  // Sessions a crashed daemon left with their holders (none after an upgrade: it handed them over).
  const recovered = adoption === null && config.session.holder !== null ? await recoverSessions(config.runtimeBase, dir, registry, log) : [];
  const exec: ExecConfig = {
    // An incomplete request's deadline is capped by --handshake-timeout, like the web side's.
    timing: { ...config.exec.timing, deadlineMs: Math.min(config.exec.timing.deadlineMs, 2 * limits.handshakeMs) },
    maxRequestBytes: config.exec.maxRequestBytes,
    defaultTimeoutMs: config.exec.timeoutMs,
    secret: config.secret,
    logCommands: config.exec.logCommands,
  };
  const info = { version: VERSION, pid: process.pid, uid: process.getuid?.() ?? null, shell: config.session.shell, runtimeBase: config.runtimeBase, socket: config.unixSocket };
  const attach: AttachConfig = { heartbeatTimeoutMs: config.heartbeatTimeoutMs, maxFrameBytes: MAX_FRAME_BYTES, maxClients: limits.maxClients, secret: config.secret, info, upgrade: null };
  let server: RunningServer;
  const push = config.web ? new WebPush(registry.events, { ...config.webPush, dir: config.runtimeBase }, log) : null;
  try {
    const web = config.web ? startWeb(config, attach, registry, push, log) : null;
    if (adoption !== null) {
      adoption.adopt(registry);
      await adoption.beforeListening();
    }
    const inherited = adoption?.listeners;
    server = await startServer(
      { hosts: config.hosts, port: config.port, unixSocket: config.unixSocket, handshakeMs: limits.handshakeMs, access: config.access, inputRate: limits.inputRate, exec, attach, web, inherited },
      registry,
      log,
    );
  } catch (err) {
    // An inherited directory still belongs to the earlier daemon, which serves on.
    if (adoption === null) fs.rmSync(dir, { recursive: true, force: true });
    push?.close();
    throw err;
  }
  const upgrader = new Upgrader({ server, registry, log, runtimeDir: dir });
  const hook = config.onEvent === null ? null : new EventHook(registry.events, { ...config.onEvent, env: config.session.env }, log);
  attach.upgrade = () => upgrader.upgrade();
  log.info({ evt: 'daemon.ready', version: VERSION, shell: config.session.shell, runtimeDir: dir, secret: config.secret !== null, adopted: adoption === null ? 0 : registry.list().length, recovered: adoption === null ? registry.list().length : 0, holders: config.session.holder !== null }, 'ready');
  let closing: Promise<void> | null = null;
  return {
    server,
    registry,
    upgrade: () => upgrader.upgrade(),
    shutdown(reason) {
      closing ??= (async () => {
        log.info({ evt: 'daemon.shutdown', reason, handedOver: upgrader.handedOver }, 'shutting down');
        // Handed over: the shells, the sockets and the runtime directory are the new daemon's.
        push?.close();
        if (upgrader.handedOver) return;
        hook?.close();
        if (config.keepSessions && config.session.holder !== null) {
          // The holders keep every session (and their journals what we knew) for the next daemon;
          // a sandboxed one keeps its cgroup too.
          registry.detachAll();
          await server.close(reason);
          return;
        }
        const sandboxes = registry.list().flatMap((s) => (s.sandbox === undefined ? [] : [s.sandbox]));
        registry.closeAll(`the daemon is shutting down (${reason})`);
        await server.close(reason);
        if (sandboxes.length > 0) await removeSandboxes(sandboxes, SANDBOX_CLEANUP_MS);
        for (const d of [dir, ...recovered]) fs.rmSync(d, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

// The web terminal: its token (made now if missing, so `pty-relay web` can print the URL) and its
// HTTP side. Throws PR_ERR_WEB_TOKEN when the token file is unsafe.
function startWeb(config: DaemonConfig, attach: AttachConfig, registry: Registry, push: WebPush | null, log: Logger): HttpHandOff {
  const tokens = new WebTokens(path.join(config.runtimeBase, TOKEN_FILE));
  tokens.token();
  const { handshakeMs, inputRate } = config.limits;
  const web = createWebServer(
    { tokens, attach, inputRate, headersMs: Math.min(WEB_HEADERS_MS, handshakeMs), requestMs: Math.min(WEB_REQUEST_MS, 3 * handshakeMs), pingMs: Math.max(50, Math.floor(config.heartbeatTimeoutMs / 3)), push },
    registry,
    log,
  );
  log.info({ evt: 'web.enabled', tokenFile: tokens.file }, 'web terminal on; print its URL with: pty-relay web');
  return web;
}
