// The only module that imports node-pty: a typed adapter that always hands out Buffers.
import * as nodePty from 'node-pty';

export interface PtyOptions {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

export interface Pty {
  readonly pid: number;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: NodeJS.Signals): void;
}

export interface PtyHandlers {
  onData(data: Buffer): void;
  // Called once, after the last output byte was delivered through onData.
  onExit(exitCode: number, signal: number): void;
}

export const TERM_NAME = 'xterm-256color';

// Spawns `file` in a new PTY. Throws what node-pty throws when the program cannot be started.
export function spawnPty(opts: PtyOptions, handlers: PtyHandlers): Pty {
  const p = nodePty.spawn(opts.file, opts.args, {
    name: TERM_NAME,
    cols: opts.cols,
    rows: opts.rows,
    cwd: opts.cwd,
    env: opts.env as Record<string, string>,
    // With encoding null node-pty emits Buffers, although its typings say string.
    encoding: null,
  } as nodePty.IPtyForkOptions);
  p.onData((d: string | Buffer) => handlers.onData(typeof d === 'string' ? Buffer.from(d) : d));
  // node-pty emits exit after its read stream closed, so no data follows this event.
  p.onExit(({ exitCode, signal }) => handlers.onExit(exitCode, signal ?? 0));
  return {
    pid: p.pid,
    write: (data) => p.write(data as string),
    resize: (cols, rows) => p.resize(cols, rows),
    pause: () => p.pause(),
    resume: () => p.resume(),
    kill: (signal) => {
      try {
        p.kill(signal);
      } catch {
        // already gone
      }
    },
  };
}
