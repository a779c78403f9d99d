// A session's program in its PTY: for a shell session, bash with our rc file (shell-integration.ts)
// whose output is split into plain output and the shell's marks (marks.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MarkParser, type MarkEvent } from './marks';
import { spawnPty, type Pty } from './pty';
import { readCmdline } from './proc';
import { renderRc } from './shell-integration';
import { writePrivateFile } from '../server/runtime-dir';

export interface ShellSpec {
  shell: string;
  command?: string[]; // a program to run instead of an integrated shell
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  dir: string; // private directory for the rc file
}

export interface ShellHandlers {
  onOutput(raw: Buffer): void; // every byte, for the ring, the mirror and the rate limit
  onEvent(ev: MarkEvent): void; // output and marks, for the job state machine
  onExit(code: number, signal: number): void;
}

// While a command runs we check this often whether `exec CMD` replaced the shell (no more marks).
const REPLACED_CHECK_MS = 1_000;

let fileCounter = 0;

export class Shell {
  readonly pty: Pty;
  isReady = false; // the shell printed its first prompt
  cmdline = ''; // bash's own command line, read at the first prompt (to notice `exec CMD`)
  private readonly parser: MarkParser | null;
  private watch: NodeJS.Timeout | null = null;
  private readonly rcFile: string | null;

  // Spawns the program. Throws when it cannot be started.
  constructor(spec: ShellSpec, handlers: ShellHandlers) {
    const integrated = spec.command === undefined;
    this.rcFile = integrated ? path.join(spec.dir, `rc-${process.pid}-${++fileCounter}.bash`) : null;
    const nonce = crypto.randomBytes(16).toString('hex');
    const [file, ...args] = spec.command ?? [spec.shell, '--rcfile', this.rcFile as string, '-i'];
    try {
      if (this.rcFile !== null) writePrivateFile(this.rcFile, renderRc(nonce));
      this.parser = integrated ? new MarkParser(nonce) : null;
      const parser = this.parser;
      this.pty = spawnPty(
        { file: file as string, args, cwd: spec.cwd, env: spec.env, cols: spec.cols, rows: spec.rows },
        {
          onData: (data) => {
            handlers.onOutput(data);
            if (parser !== null) for (const ev of parser.push(data)) handlers.onEvent(ev);
          },
          onExit: (code, signal) => {
            // Output still held by the parser (a partial mark at the very end) is ordinary output.
            const tail = parser?.flush();
            if (tail !== undefined && tail.length > 0) handlers.onEvent({ type: 'data', data: tail });
            this.removeRc();
            this.watchReplaced(null);
            handlers.onExit(code, signal);
          },
        },
      );
    } catch (err) {
      this.removeRc();
      throw err;
    }
  }

  get pid(): number {
    return this.pty.pid;
  }

  // The shell printed its first prompt: its rc file is no longer needed.
  ready(): void {
    this.isReady = true;
    this.removeRc();
    // Read now, not at spawn: until bash has exec'd, /proc shows the forking process.
    this.cmdline = readCmdline(this.pty.pid);
  }

  // While a job runs, checks now and then whether the shell replaced itself (`exec CMD`): its
  // command line changed. Calls `onReplaced` with the new one; null stops watching.
  watchReplaced(onReplaced: ((cmdline: string) => void) | null): void {
    if (this.watch !== null) clearInterval(this.watch);
    this.watch = null;
    if (onReplaced === null) return;
    this.watch = setInterval(() => {
      const now = readCmdline(this.pty.pid);
      if (now === '' || this.cmdline === '' || now === this.cmdline) return;
      this.watchReplaced(null);
      onReplaced(now);
    }, REPLACED_CHECK_MS);
    this.watch.unref();
  }

  private removeRc(): void {
    if (this.rcFile !== null) fs.rm(this.rcFile, { force: true }, () => undefined);
  }
}
