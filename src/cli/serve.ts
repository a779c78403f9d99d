// `pty-relay serve`: the daemon's options, each with an environment equivalent.
import { Command, Option } from 'commander';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDaemon } from '../daemon';
import { takeOver } from '../daemon/upgrade/incoming';
import { sdNotify } from '../daemon/upgrade/sd-notify';
import { HANDOVER_ENV } from '../daemon/upgrade/successor';
import { DEFAULT_TIMING } from '../daemon/exec/request';
import { defaultRuntimeBase } from '../daemon/server/runtime-dir';
import { RelayError } from '../errors';
import { createLogger } from '../log';
import type { DaemonConfig } from '../daemon';
import * as cfg from './config';

export function buildServeCommand(): Command {
  const opt = (flags: string, help: string, env: string): Option => new Option(flags, help).env(env);
  return new Command('serve')
    .description('run the daemon: persistent bash sessions on 127.0.0.1, ::1 and a private unix socket')
    .addOption(opt('--host <addrs>', 'comma-separated addresses to bind (loopback unless --allow-remote); none = unix socket only', 'PTY_RELAY_HOST').default(cfg.DEFAULT_HOSTS, '127.0.0.1,::1').argParser(cfg.parseHosts))
    .addOption(opt('-p, --port <port>', 'TCP port (0 = pick one and log it)', 'PTY_RELAY_PORT').default(cfg.DEFAULT_PORT).argParser(cfg.parsePort))
    .addOption(opt('--socket <path>', 'unix socket to listen on too (default: relay.sock in the runtime dir)', 'PTY_RELAY_SOCKET'))
    .option('--no-socket', 'do not listen on a unix socket')
    .addOption(opt('--shell <path>', 'bash for new sessions (default: your login shell if it is bash, else bash)', 'PTY_RELAY_SHELL'))
    .addOption(opt('--exec-timeout <seconds>', 'default per-request timeout; 0 = none (the command keeps running either way)', 'PTY_RELAY_EXEC_TIMEOUT').default(cfg.DEFAULT_EXEC_TIMEOUT_S).argParser(cfg.parseSeconds))
    .addOption(opt('--max-request-bytes <size>', 'largest exec request accepted', 'PTY_RELAY_MAX_REQUEST_BYTES').default(cfg.DEFAULT_MAX_REQUEST_BYTES, '4M').argParser(cfg.parseBytes))
    .addOption(opt('--ring-bytes <size>', 'output kept per session for reattach and resume (k/M suffix ok)', 'PTY_RELAY_RING_BYTES').default(cfg.DEFAULT_RING_BYTES, '1M').argParser(cfg.parseBytes))
    .addOption(opt('--max-sessions <n>', 'most sessions at once', 'PTY_RELAY_MAX_SESSIONS').default(cfg.DEFAULT_MAX_SESSIONS).argParser(cfg.parseCount))
    .addOption(opt('--max-clients <n>', 'most attached clients per session', 'PTY_RELAY_MAX_CLIENTS').default(cfg.DEFAULT_MAX_CLIENTS).argParser(cfg.parseCount))
    .addOption(opt('--session-idle-timeout <seconds>', 'end sessions unused this long (0 = never)', 'PTY_RELAY_SESSION_IDLE_TIMEOUT').default(0).argParser(cfg.parseSeconds))
    .addOption(opt('--handshake-timeout <seconds>', 'close connections that send nothing for this long', 'PTY_RELAY_HANDSHAKE_TIMEOUT').default(cfg.DEFAULT_HANDSHAKE_S).argParser(cfg.parseSeconds))
    .addOption(opt('--output-rate <bytes/s>', 'PTY output a session may produce per second (0 = unlimited)', 'PTY_RELAY_OUTPUT_RATE').default(cfg.DEFAULT_OUTPUT_RATE, '64M').argParser(cfg.parseRate))
    .addOption(opt('--input-rate <bytes/s>', 'bytes a connection may send per second (0 = unlimited)', 'PTY_RELAY_INPUT_RATE').default(cfg.DEFAULT_INPUT_RATE, '16M').argParser(cfg.parseRate))
    .addOption(opt('--connection-rate <n/s>', 'new connections accepted per second (0 = unlimited)', 'PTY_RELAY_CONNECTION_RATE').default(cfg.DEFAULT_CONNECTION_RATE).argParser(cfg.parseRate))
    .addOption(opt('--secret-file <path>', 'require this shared secret from every client (or set PTY_RELAY_SECRET)', 'PTY_RELAY_SECRET_FILE'))
    .option('--allow-remote', 'allow binding non-loopback addresses (requires a secret)')
    .option('--allow-root', 'also accept connections from root (uid 0)')
    .option('--log-commands', 'put exec command text in the audit log (it may contain secrets)')
    .option('--no-holders', 'run sessions without a holder process: they end with the daemon (and nothing is journaled to disk)')
    .addOption(opt('--holder-buffer <size>', "output a session's holder keeps while no daemon runs (k/M suffix ok)", 'PTY_RELAY_HOLDER_BUFFER').default(cfg.DEFAULT_HOLDER_BUFFER, '4M').argParser(cfg.parseBytes))
    .addOption(opt('--orphan-timeout <seconds>', 'a holder with no daemon for this long hangs its session up (0 = never)', 'PTY_RELAY_ORPHAN_TIMEOUT').default(cfg.DEFAULT_ORPHAN_TIMEOUT_S).argParser(cfg.parseSeconds))
    .option('--keep-sessions', 'on SIGTERM/SIGINT, leave the sessions to their holders for the next daemon (systemctl restart) instead of ending them')
    .option('--web', 'serve the web terminal on the same port (or set PTY_RELAY_WEB=1); print its URL with: pty-relay web')
    .addOption(opt('--runtime-dir <dir>', 'private directory for the socket, scripts and rc files', 'PTY_RELAY_RUNTIME_DIR'))
    .addOption(opt('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'PTY_RELAY_LOG_LEVEL').default('info').argParser(cfg.parseLogLevel))
    .option('-v, --verbose', 'log at info level; -vv: debug', (_: string, n: number) => n + 1, 0)
    .option('-q, --quiet', 'log warnings and errors only')
    .action(async (o, cmd: Command) => {
      const level = cfg.logLevelFromFlags({ verbose: o.verbose, quiet: o.quiet === true, level: o.logLevel, levelFromCli: cmd.getOptionValueSource('logLevel') === 'cli' });
      const secret = cfg.readSecret(o.secretFile, process.env);
      const remote = (o.host as string[]).filter((h) => !cfg.isLoopback(h));
      if (remote.length > 0 && !(o.allowRemote && secret !== null)) {
        throw new RelayError('PR_ERR_USAGE', `refusing to listen on ${remote.join(', ')}: binding beyond loopback needs --allow-remote and a secret (--secret-file or PTY_RELAY_SECRET); prefer an SSH tunnel`);
      }
      if ((o.host as string[]).length === 0 && o.socket === false) throw new RelayError('PR_ERR_USAGE', '--host none and --no-socket leave nothing to listen on');
      const runtimeBase = o.runtimeDir ?? defaultRuntimeBase();
      const log = createLogger(level);
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
        keepSessions: o.keepSessions === true,
      };
      const daemon = handover === undefined ? await startDaemon(config, log) : await takeOver(config, log, Number(handover));
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
    });
}
