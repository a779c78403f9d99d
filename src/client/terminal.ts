// The raw-mode guard: puts the local terminal in raw mode and restores it on every way out —
// normal return, detach, signals, uncaught errors and process exit.
import { spawnSync } from 'node:child_process';
import { RelayError } from '../errors';

const EXIT_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'] as const;

export interface RawTerminal {
  restore(): void;
}

// Enters raw mode on stdin; throws PR_ERR_TERMINAL when stdin is not a terminal.
export function enterRawMode(stdin: NodeJS.ReadStream = process.stdin): RawTerminal {
  if (!stdin.isTTY) throw new RelayError('PR_ERR_TERMINAL', 'pty-client needs a terminal on stdin (use `pty-relay exec` from scripts)');
  stdin.setRawMode(true);
  // libuv's raw mode keeps output post-processing (ONLCR): "\r\n" from the session would reach the
  // screen as "\r\r\n", and a full-screen program's bare "\n" would gain a carriage return. Turn
  // it off as cfmakeraw does; setRawMode(false) restores the termios saved before.
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode(false);
    } catch {
      // the terminal is gone
    }
    stdin.pause();
    process.off('exit', restore);
    for (const sig of EXIT_SIGNALS) process.off(sig, onSignal);
    process.off('uncaughtException', onError);
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    restore();
    process.stderr.write(`\r\n[pty-client] ${sig}: exiting\r\n`);
    process.exit(128 + (sig === 'SIGHUP' ? 1 : sig === 'SIGINT' ? 2 : sig === 'SIGQUIT' ? 3 : 15));
  };
  const onError = (err: Error): void => {
    restore();
    process.stderr.write(`pty-client: ${err.stack ?? err.message}\n`);
    process.exit(255);
  };
  process.on('exit', restore);
  for (const sig of EXIT_SIGNALS) process.on(sig, onSignal);
  process.on('uncaughtException', onError);
  return { restore };
}
