// Drives programs in a real terminal: tmux on a private socket, send-keys to type, capture-pane
// to read the screen. Each Tmux owns its own server and kills only that.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from './deadline';

let counter = 0;

export class Tmux {
  readonly socket = `pty-relay-test-${process.pid}-${++counter}`;
  private readonly conf: string;

  constructor() {
    // No status bar (the pane gets every row), and panes stay after their program exits.
    this.conf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-tmux-')), 'tmux.conf');
    fs.writeFileSync(this.conf, 'set -g status off\nset -g remain-on-exit on\nset -g default-terminal xterm-256color\n');
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', this.conf, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  // Starts `argv` in a new window of the given size. When it exits, the pane shows
  // "[exit:N]" with its status (see exitStatus) and stays.
  start(name: string, argv: string[], env: Record<string, string> = {}, cols = 100, rows = 30): void {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const cmd = `${argv.map(shq).join(' ')}; echo "[exit:$?]"`;
    this.tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), ...envArgs, cmd);
  }

  // Waits for the program started in `target` to exit and returns its exit status.
  async exitStatus(target: string, ms = 15_000): Promise<number> {
    const screen = await this.waitScreen(target, /^\[exit:\d+\]$/m, ms);
    return Number(/^\[exit:(\d+)\]$/m.exec(screen)?.[1]);
  }

  keys(target: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', target, ...keys);
  }

  // Types text literally (no key-name lookup), then optionally Enter.
  type(target: string, text: string, enter = true): void {
    this.tmux('send-keys', '-t', target, '-l', text);
    if (enter) this.tmux('send-keys', '-t', target, 'Enter');
  }

  resize(target: string, cols: number, rows: number): void {
    this.tmux('resize-window', '-t', target, '-x', String(cols), '-y', String(rows));
  }

  // The visible screen as text; with `escapes`, with the sequences for its colours and attributes.
  screen(target: string, o: { escapes?: boolean } = {}): string {
    return this.tmux('capture-pane', '-p', ...(o.escapes === true ? ['-e'] : []), '-t', target);
  }

  // Waits until the screen matches `re`; returns the screen.
  waitScreen(target: string, re: RegExp, ms = 15_000): Promise<string> {
    return waitFor(`screen of ${target} to match ${re}\n--- last screen ---\n${this.safeScreen(target)}`, () => {
      const s = this.safeScreen(target);
      return re.test(s) ? s : undefined;
    }, ms);
  }

  // Copies everything the pane's program writes to a file.
  pipeTo(target: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-pipe-')), 'pane.log');
    this.tmux('pipe-pane', '-o', '-t', target, `cat >> ${file}`);
    return file;
  }

  pid(target: string): number {
    return Number(this.tmux('display-message', '-p', '-t', target, '#{pane_pid}').trim());
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }

  private safeScreen(target: string): string {
    try {
      return this.screen(target);
    } catch (err) {
      return `(no screen: ${(err as Error).message})`;
    }
  }
}

// Quotes one word for the shell tmux runs the command with.
function shq(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
