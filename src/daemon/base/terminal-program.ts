// What a session's program is started with, and where: both ways of starting one take it, a PTY of
// the daemon's own (pty/pty.ts) and a holder's (holder/spawn.ts).
export interface TerminalProgram {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}
