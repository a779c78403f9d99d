// Runs a helper program for a check: bounded in time, stdin closed, never through a shell.
import { spawn } from 'node:child_process';

export interface Ran {
  code: number | null; // null when it could not start or was killed
  out: string;
  err: string;
  missing: boolean; // the program does not exist
}

// A helper that has not answered within this long is stuck (a hung user bus, a broken bash).
export const RUN_TIMEOUT_MS = 5_000;

// Runs `cmd args` with `input` on stdin (none: stdin closed); kills it (by PID) after `ms`.
export function runProgram(cmd: string, args: string[], o: { input?: string; env?: NodeJS.ProcessEnv; ms?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    // No input: stdin ignored, since `bash -c` with a pipe on stdin and no SHLVL reads ~/.bashrc (DESIGN.md §7).
    const child = spawn(cmd, args, { stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: o.env ?? process.env });
    const ms = o.ms ?? RUN_TIMEOUT_MS;
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, out, err: e.message, missing: e.code === 'ENOENT' });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, missing: false });
    });
    if (child.stdin !== null) {
      child.stdin.on('error', () => undefined); // it may exit without reading
      child.stdin.end(o.input);
    }
  });
}
