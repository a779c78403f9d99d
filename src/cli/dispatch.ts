// What the program does with its arguments. Multi-call: invoked as `pty-client` it is the attach
// client. `--version` is answered before the rest of the program is even loaded, `exec` loads only
// what a client needs (exec-fast.ts), and `pty-relay mcp` only the MCP server's side of the program.
// Entered from main.ts (dist/main.js) or, in the single binary, from sea-main.ts.
import * as path from 'node:path';
import { VERSION } from '../version';

// Inside the single binary argv[1] is the resolved executable, so the name used to start it comes
// from argv0 (a `pty-client` symlink keeps its own name there).
function invokedAs(): string {
  let sea = false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sea = (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    sea = false;
  }
  return path.basename(sea ? process.argv0 : (process.argv[1] ?? ''));
}

// The exec fast path's module, loaded on first use.
function execFast(): typeof import('./exec-fast') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./exec-fast') as typeof import('./exec-fast');
}

// `pty-relay exec …` on its fast path (no commander, pino, node-pty or daemon code); false when
// the full command line must handle it.
function fastExec(args: string[]): boolean {
  if (args[0] !== 'exec' || invokedAs() === 'pty-client') return false;
  return execFast().tryExec(args.slice(1));
}

// Loads and warms the exec fast path without running anything: the single binary calls this while
// its startup snapshot is built, so `exec` starts with its modules (node:net among them) loaded.
export function prepareExec(): void {
  execFast().parseExecArgs(['--port', '1', '--', 'true'], {});
}

// Runs the program with the arguments after the executable's name.
export function start(args: string[]): void {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
  } else if (args[0] === 'mcp' && invokedAs() !== 'pty-client') {
    // The MCP server is a client of the daemon: it never loads the daemon's code or node-pty.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { main } = require('./run') as typeof import('./run');
    const { buildMcpProgram } = require('./mcp') as typeof import('./mcp');
    /* eslint-enable @typescript-eslint/no-require-imports */
    void main(process.argv, buildMcpProgram());
  } else if (!fastExec(args)) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { main } = require('./run') as typeof import('./run');
    const { buildProgram } = require('./relay') as typeof import('./relay');
    const { buildClientCommand } = require('./client') as typeof import('./client');
    /* eslint-enable @typescript-eslint/no-require-imports */
    void main(process.argv, invokedAs() === 'pty-client' ? buildClientCommand('pty-client') : buildProgram());
  }
}
