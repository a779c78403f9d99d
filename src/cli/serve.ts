// `pty-relay serve`: the daemon's options, each with an environment equivalent. The daemon's code
// (serve-run.ts and everything under daemon/) is loaded only once this installation is known to
// run it (server-side.ts), so client commands never load it, nor node-pty.
import { Command, Option } from 'commander';
import * as cfg from './config';
import { requireServerSide } from './server-side';

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
    .addOption(opt('--sandbox-config <file>', 'sandbox profiles for `new --sandbox` and #!sandbox (JSON; README "Sandboxed sessions")', 'PTY_RELAY_SANDBOX_CONFIG'))
    .addOption(opt('--handshake-timeout <seconds>', 'close connections that send nothing for this long', 'PTY_RELAY_HANDSHAKE_TIMEOUT').default(cfg.DEFAULT_HANDSHAKE_S).argParser(cfg.parseSeconds))
    .addOption(opt('--output-rate <bytes/s>', 'PTY output a session may produce per second (0 = unlimited)', 'PTY_RELAY_OUTPUT_RATE').default(cfg.DEFAULT_OUTPUT_RATE, '64M').argParser(cfg.parseRate))
    .addOption(opt('--input-rate <bytes/s>', 'bytes a connection may send per second (0 = unlimited)', 'PTY_RELAY_INPUT_RATE').default(cfg.DEFAULT_INPUT_RATE, '16M').argParser(cfg.parseRate))
    .addOption(opt('--connection-rate <n/s>', 'new connections accepted per second (0 = unlimited)', 'PTY_RELAY_CONNECTION_RATE').default(cfg.DEFAULT_CONNECTION_RATE).argParser(cfg.parseRate))
    .addOption(opt('--secret-file <path>', 'require this shared secret from every client (or set PTY_RELAY_SECRET)', 'PTY_RELAY_SECRET_FILE'))
    .option('--allow-remote', 'allow binding non-loopback addresses (requires a secret)')
    .option('--allow-root', 'also accept connections from root (uid 0)')
    .option('--log-commands', 'put exec command text in the audit log (it may contain secrets)')
    .addOption(opt('--on-event <command>', 'run this (via /bin/sh -c) for each event, the event as JSON on its stdin (README "Events and notifications")', 'PTY_RELAY_ON_EVENT'))
    .addOption(opt('--on-event-filter <list>', 'which events run the hook: input, failed, finished, finished-after=SECONDS, bell, session, client, all, or event types', 'PTY_RELAY_ON_EVENT_FILTER').default(cfg.DEFAULT_HOOK_FILTER).argParser(cfg.parseFilterSpec))
    .addOption(opt('--on-event-timeout <seconds>', "kill the hook's process group after this long", 'PTY_RELAY_ON_EVENT_TIMEOUT').default(cfg.DEFAULT_HOOK_TIMEOUT_S).argParser(cfg.parseSeconds))
    .addOption(opt('--on-event-rate <n/min>', 'hooks started per minute at most (0 = unlimited); events past it are dropped and logged', 'PTY_RELAY_ON_EVENT_RATE').default(cfg.DEFAULT_HOOK_RATE).argParser((v) => (v === '0' ? 0 : cfg.parseCount(v))))
    .option('--no-holders', 'run sessions without a holder process: they end with the daemon (and nothing is journaled to disk)')
    .addOption(opt('--holder-buffer <size>', "output a session's holder keeps while no daemon runs (k/M suffix ok)", 'PTY_RELAY_HOLDER_BUFFER').default(cfg.DEFAULT_HOLDER_BUFFER, '4M').argParser(cfg.parseBytes))
    .addOption(opt('--orphan-timeout <seconds>', 'a holder with no daemon for this long hangs its session up (0 = never)', 'PTY_RELAY_ORPHAN_TIMEOUT').default(cfg.DEFAULT_ORPHAN_TIMEOUT_S).argParser(cfg.parseSeconds))
    .option('--keep-sessions', 'on SIGTERM/SIGINT, leave the sessions to their holders for the next daemon (systemctl restart) instead of ending them')
    .option('--web', 'serve the web terminal on the same port (or set PTY_RELAY_WEB=1); print its URL with: pty-relay web')
    .addOption(opt('--web-push-filter <list>', 'which events the web page\'s Web Push subscriptions get (same terms as --on-event-filter)', 'PTY_RELAY_WEB_PUSH_FILTER').default(cfg.DEFAULT_HOOK_FILTER).argParser(cfg.parseFilterSpec))
    .addOption(opt('--web-push-contact <uri>', 'the mailto: or https: contact push services see in our VAPID signature', 'PTY_RELAY_WEB_PUSH_CONTACT').default(cfg.DEFAULT_PUSH_CONTACT))
    .addOption(opt('--web-push-test-origin <origin>', 'tests only: admit push endpoints of this loopback origin (http://127.0.0.1:PORT)', 'PTY_RELAY_WEB_PUSH_TEST_ORIGIN').hideHelp())
    .addOption(opt('--runtime-dir <dir>', 'private directory for the socket, scripts and rc files', 'PTY_RELAY_RUNTIME_DIR'))
    .addOption(opt('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'PTY_RELAY_LOG_LEVEL').default('info').argParser(cfg.parseLogLevel))
    .option('-v, --verbose', 'log at info level; -vv: debug', (_: string, n: number) => n + 1, 0)
    .option('-q, --quiet', 'log warnings and errors only')
    .action(async (o, cmd: Command) => {
      await requireServerSide();
      const { runServe } = await import('./serve-run');
      await runServe(o, cmd.getOptionValueSource('logLevel') === 'cli');
    });
}
