// Shows a notification on the laptop: notify-send (Linux), osascript (macOS), an OSC escape to
// this terminal (--osc), or any command (--command CMD, run via /bin/sh -c with the title and the
// body as $1 and $2 and the event as JSON on stdin). A notifier that hangs is killed after
// NOTIFIER_TIMEOUT_MS, and at most NOTIFIERS_RUNNING run at once: past that a notification is
// dropped with a line on stderr rather than piling processes up.
import { spawn } from 'node:child_process';
import { RelayError } from '../../errors';
import type { RelayEvent } from '../../protocol/events';
import { oscNotification, type Note } from './message';

export const NOTIFIER_TIMEOUT_MS = 10_000;
export const NOTIFIERS_RUNNING = 4;

export type NotifierKind = { kind: 'osc'; out: NodeJS.WritableStream } | { kind: 'command'; command: string } | { kind: 'native'; platform: NodeJS.Platform };

// macOS: the title and body go in as arguments, never into the script's text.
const OSASCRIPT = ['-e', 'on run argv', '-e', 'display notification (item 2 of argv) with title (item 1 of argv)', '-e', 'end run'];

// The program and arguments for a native notification; throws PR_ERR_USAGE where there is none.
export function nativeCommand(platform: NodeJS.Platform, n: Note): [string, string[]] {
  if (platform === 'linux') return ['notify-send', ['--app-name=pty-relay', n.title, n.body]];
  if (platform === 'darwin') return ['osascript', [...OSASCRIPT, n.title, n.body]];
  throw new RelayError('PR_ERR_USAGE', `no native notifier on ${platform}: use --osc (a notification through this terminal) or --command CMD`);
}

export class Notifier {
  private running = 0;

  constructor(
    private readonly how: NotifierKind,
    private readonly warn: (line: string) => void,
  ) {
    if (how.kind === 'native') nativeCommand(how.platform, { title: '', body: '' }); // fail at start, not at the first event
  }

  show(n: Note, e: RelayEvent): void {
    const how = this.how;
    if (how.kind === 'osc') {
      how.out.write(oscNotification(n));
      return;
    }
    if (this.running >= NOTIFIERS_RUNNING) return this.warn(`${NOTIFIERS_RUNNING} notifiers still running: a notification was dropped`);
    const [file, args] = how.kind === 'command' ? ['/bin/sh', ['-c', `${how.command} "$@"`, 'pty-relay-notify', n.title, n.body]] : nativeCommand(how.platform, n);
    this.running++;
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }, NOTIFIER_TIMEOUT_MS);
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(e)}\n`);
    child.on('error', (err) => this.warn(`cannot run ${file}: ${err.message}${how.kind === 'native' ? ' (use --osc or --command CMD instead)' : ''}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      this.running--;
      if (code !== 0 && code !== null) this.warn(`the notifier exited with status ${code}`);
      else if (signal !== null) this.warn(`the notifier was ended by ${signal}`);
    });
  }
}
