// `pty-relay serve`'s action: the daemon started with the parsed options (serve.ts), its systemd
// readiness, and its signals. Loaded only after server-side.ts found node-pty.
import * as os from 'node:os';
import * as path from 'node:path';
import { startDaemon } from '../daemon';
import { takeOver } from '../daemon/upgrade/incoming';
import { sdNotify } from '../daemon/upgrade/sd-notify';
import { HANDOVER_ENV } from '../daemon/upgrade/successor';
import { DEFAULT_TIMING } from '../daemon/exec/request';
import { chooseRuntimeBase } from '../daemon/base/runtime-dir';
import { builtinSandboxConfig, loadSandboxConfig } from '../daemon/sandbox/profile';
import { checkTestOrigin } from '../daemon/push/endpoint';
import { RelayError } from '../errors';
import { createLogger } from '../log';
import type { LogLevel } from '../log-levels';
import type { DaemonConfig } from '../daemon';
import { parseEventFilter, type EventFilter } from '../protocol/events';
import * as cfg from './config';

// serve's options as commander parsed them (serve.ts).
export interface ServeOptions {
  host: string[];
  port: number;
  socket?: string | false;
  shell?: string;
  execTimeout: number;
  maxRequestBytes: number;
  ringBytes: number;
  maxSessions: number;
  maxClients: number;
  sessionIdleTimeout: number;
  handshakeTimeout: number;
  outputRate: number;
  inputRate: number;
  connectionRate: number;
  secretFile?: string;
  allowRemote?: boolean;
  allowRoot?: boolean;
  logCommands?: boolean;
  web?: boolean;
  onEvent?: string;
  onEventFilter: string;
  onEventTimeout: number;
  onEventRate: number;
  webPushFilter: string;
  webPushContact: string;
  webPushTestOrigin?: string;
  holders?: boolean; // false: --no-holders
  holderBuffer: number;
  orphanTimeout: number;
  keepSessions?: boolean;
  runtimeDir?: string;
  logLevel: LogLevel;
  verbose: number;
  quiet?: boolean;
  sandboxConfig?: string;
}

// Runs the daemon with serve's options; `levelFromCli`: --log-level was given on the command line.
export async function runServe(o: ServeOptions, levelFromCli: boolean): Promise<void> {
  const level = cfg.logLevelFromFlags({ verbose: o.verbose, quiet: o.quiet === true, level: o.logLevel, levelFromCli });
  const secret = cfg.readSecret(o.secretFile, process.env);
  const remote = (o.host as string[]).filter((h) => !cfg.isLoopback(h));
  if (remote.length > 0 && !(o.allowRemote && secret !== null)) {
    throw new RelayError('PR_ERR_USAGE', `refusing to listen on ${remote.join(', ')}: binding beyond loopback needs --allow-remote and a secret (--secret-file or PTY_RELAY_SECRET); prefer an SSH tunnel`);
  }
  if ((o.host as string[]).length === 0 && o.socket === false) throw new RelayError('PR_ERR_USAGE', '--host none and --no-socket leave nothing to listen on');
  const log = createLogger(level);
  // Without --runtime-dir: $XDG_RUNTIME_DIR/pty-relay, or /tmp/pty-relay-UID unless another
  // user holds that name, then ~/.local/state/pty-relay/run (src/runtime-paths.ts).
  const runtimeBase = o.runtimeDir ?? chooseRuntimeBase(process.env, (dir, why, next) => log.warn({ evt: 'runtime.fallback', dir, next }, `${why}; using ${next} instead`));
  // Set when an earlier daemon started us to take its sessions over (pty-relay upgrade).
  const handover = process.env[HANDOVER_ENV];
  delete process.env[HANDOVER_ENV];
  const config: DaemonConfig = {
    hosts: o.host,
    port: o.port,
    unixSocket: o.socket === false ? null : typeof o.socket === 'string' ? path.resolve(o.socket) : path.join(runtimeBase, 'relay.sock'),
    runtimeBase,
    session: {
      shell: o.shell ?? cfg.defaultShell(),
      cwd: cfg.startDirectory(os.homedir()),
      env: cfg.sessionEnv(process.env),
      cols: 200,
      rows: 50,
      ringBytes: o.ringBytes,
      holder: o.holders === false ? null : { bufferBytes: o.holderBuffer, orphanS: Math.ceil(o.orphanTimeout) },
      journal: o.holders !== false,
    },
    limits: {
      handshakeMs: o.handshakeTimeout * 1000,
      maxSessions: o.maxSessions,
      maxClients: o.maxClients,
      sessionIdleMs: o.sessionIdleTimeout * 1000,
      outputRate: { ratePerSec: o.outputRate, burst: o.outputRate },
      inputRate: { ratePerSec: o.inputRate, burst: o.inputRate },
    },
    access: {
      ownUid: process.getuid?.() ?? 0,
      allowRoot: o.allowRoot === true,
      allowUnknownPeers: remote.length > 0,
      connectionRate: { ratePerSec: o.connectionRate, burst: o.connectionRate },
    },
    secret,
    exec: { timeoutMs: o.execTimeout * 1000, maxRequestBytes: o.maxRequestBytes, timing: DEFAULT_TIMING, logCommands: o.logCommands === true },
    heartbeatTimeoutMs: 3 * cfg.heartbeatMs(),
    web: o.web === true || cfg.envFlag(process.env.PTY_RELAY_WEB),
    onEvent: o.onEvent === undefined || o.onEvent === '' ? null : { command: o.onEvent, filter: parseEventFilter(o.onEventFilter) as EventFilter, timeoutMs: o.onEventTimeout * 1000, rate: { ratePerSec: o.onEventRate / 60, burst: o.onEventRate } },
    webPush: { filter: parseEventFilter(o.webPushFilter) as EventFilter, contact: o.webPushContact, testOrigin: testOrigin(o.webPushTestOrigin) },
    keepSessions: o.keepSessions === true,
    sandbox: o.sandboxConfig === undefined ? builtinSandboxConfig() : loadSandboxConfig(path.resolve(o.sandboxConfig)),
  };
  const daemon = handover === undefined ? await startDaemon(config, log) : await takeOver(log, Number(handover), (adoption) => startDaemon(config, log, adoption));
  // Under systemd (Type=notify): we are up. A daemon that took over told systemd itself.
  if (handover === undefined) {
    void sdNotify({ READY: '1', MAINPID: String(process.pid) }).then((r) => {
      if (r.outcome === 'failed') log.warn({ evt: 'daemon.notify_failed', err: r.error }, 'cannot tell systemd we are ready');
    });
  }
  // SIGUSR2 upgrades, as `pty-relay upgrade` does; the outcome goes to the log.
  process.on('SIGUSR2', () => {
    void daemon.upgrade().then(({ reply, after }) => {
      if (!reply.ok) log.warn({ evt: 'upgrade.signal_failed', err: reply.message }, 'SIGUSR2 upgrade failed');
      after();
    });
  });
  // A bug in one connection's handling must not take every session down with the daemon:
  // log it loudly and keep serving.
  process.on('uncaughtException', (err) => {
    log.fatal({ evt: 'daemon.uncaught_exception', err }, 'uncaught exception; the daemon keeps running');
  });
  // The first signal starts a graceful shutdown (bounded: clients get 2 s to read their last
  // words); repeats while it runs are ignored rather than killing the daemon half-way.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => {
      void daemon.shutdown(sig).then(() => process.exit(0));
    });
  }
}

// --web-push-test-origin: a loopback origin or nothing.
function testOrigin(v: string | undefined): string | null {
  if (v === undefined || v === '') return null;
  const why = checkTestOrigin(v);
  if (why !== null) throw new RelayError('PR_ERR_USAGE', why);
  return v;
}
