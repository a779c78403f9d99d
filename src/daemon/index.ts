// `pty-relay serve`: wires the runtime directory, the session registry and the listeners.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../log';
import { MAX_FRAME_BYTES } from '../protocol/frame';
import type { AttachConfig } from './attach/attach';
import type { ExecConfig } from './exec/connection';
import type { AccessConfig } from './server/gate';
import type { BucketConfig } from './rate-limit';
import { Registry, type SessionDefaults } from './session/registry';
import type { RequestTiming } from './exec/request';
import { ensurePrivateDir, makeInstanceDir } from './server/runtime-dir';
import { startServer, type HttpHandOff, type InheritedListener, type RunningServer } from './server/server';
import { Upgrader, type UpgradeOutcome } from './upgrade/outgoing';
import { TOKEN_FILE, WebTokens } from './web/token';
import { createWebServer } from './web/web-server';
import { VERSION } from '../version';

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
}

// A browser sends its headers in one packet; 10 s covers a congested tunnel. A request's body and
// our answer get 30 s. Both are capped by --handshake-timeout (the tests use short ones).
const WEB_HEADERS_MS = 10_000;
const WEB_REQUEST_MS = 30_000;

export interface Daemon {
  server: RunningServer;
  registry: Registry;
  // Tells clients, hangs up every shell, closes the listeners and removes the runtime files.
  shutdown(reason: string): Promise<void>;
  // Hands every session to a new daemon process started from the installed binary (upgrade/).
  upgrade(): Promise<UpgradeOutcome>;
}

// What a daemon taking over from an earlier one starts from (upgrade/incoming.ts).
export interface Adoption {
  runtimeDir: string; // the earlier daemon's instance directory, kept
  listeners: InheritedListener[];
  // Creates the handed-over sessions in the registry, frozen.
  adopt(registry: Registry): void;
  // Resolves once the earlier daemon lets go; only then are the sockets listened on.
  beforeListening(): Promise<void>;
}

// Starts serving (taking over from an earlier daemon with `adoption`); rejects with PR_ERR_LISTEN
// or PR_ERR_RUNTIME_DIR when it cannot.
export async function startDaemon(config: DaemonConfig, log: Logger, adoption: Adoption | null = null): Promise<Daemon> {
  const dir = adoption === null ? makeInstanceDir(config.runtimeBase) : ensurePrivateDir(adoption.runtimeDir);
  const { limits } = config;
  const registry = new Registry(dir, { ...config.session, outputRate: limits.outputRate }, log, limits.maxSessions, limits.sessionIdleMs);
  const exec: ExecConfig = {
    // An incomplete request's deadline is capped by --handshake-timeout, like the web side's.
    timing: { ...config.exec.timing, deadlineMs: Math.min(config.exec.timing.deadlineMs, 2 * limits.handshakeMs) },
    maxRequestBytes: config.exec.maxRequestBytes,
    defaultTimeoutMs: config.exec.timeoutMs,
    connectHint: '',
    secret: config.secret,
    logCommands: config.exec.logCommands,
  };
  const info = { version: VERSION, pid: process.pid, uid: process.getuid?.() ?? null, shell: config.session.shell, runtimeBase: config.runtimeBase, socket: config.unixSocket };
  const attach: AttachConfig = { heartbeatTimeoutMs: config.heartbeatTimeoutMs, maxFrameBytes: MAX_FRAME_BYTES, maxClients: limits.maxClients, secret: config.secret, info, upgrade: null };
  let server: RunningServer;
  try {
    const web = config.web ? startWeb(config, attach, registry, log) : null;
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
    throw err;
  }
  const upgrader = new Upgrader({ server, registry, log, runtimeDir: dir });
  attach.upgrade = () => upgrader.upgrade();
  exec.connectHint = config.hosts.length > 0 ? `nc localhost ${server.port}` : `nc -U ${config.unixSocket}`;
  log.info({ evt: 'daemon.ready', version: VERSION, shell: config.session.shell, runtimeDir: dir, secret: config.secret !== null, adopted: adoption === null ? 0 : registry.list().length }, 'ready');
  let closing: Promise<void> | null = null;
  return {
    server,
    registry,
    upgrade: () => upgrader.upgrade(),
    shutdown(reason) {
      closing ??= (async () => {
        log.info({ evt: 'daemon.shutdown', reason, handedOver: upgrader.handedOver }, 'shutting down');
        // Handed over: the shells, the sockets and the runtime directory are the new daemon's.
        if (upgrader.handedOver) return;
        registry.closeAll(`the daemon is shutting down (${reason})`);
        await server.close(reason);
        fs.rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

// The web terminal: its token (made now if missing, so `pty-relay web` can print the URL) and its
// HTTP side. Throws PR_ERR_WEB_TOKEN when the token file is unsafe.
function startWeb(config: DaemonConfig, attach: AttachConfig, registry: Registry, log: Logger): HttpHandOff {
  const tokens = new WebTokens(path.join(config.runtimeBase, TOKEN_FILE));
  tokens.token();
  const { handshakeMs, inputRate } = config.limits;
  const web = createWebServer(
    { tokens, attach, inputRate, headersMs: Math.min(WEB_HEADERS_MS, handshakeMs), requestMs: Math.min(WEB_REQUEST_MS, 3 * handshakeMs), pingMs: Math.max(50, Math.floor(config.heartbeatTimeoutMs / 3)) },
    registry,
    log,
  );
  log.info({ evt: 'web.enabled', tokenFile: tokens.file }, 'web terminal on; print its URL with: pty-relay web');
  return web;
}
