// Entry point of the bundle. Multi-call: invoked as `pty-client` it is the attach client.
// `--version` is answered before the rest of the program is even loaded, `exec` loads only what a
// client needs (exec-fast.ts), and `pty-relay mcp` only the MCP server's side of the program.
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

// `pty-relay exec …` on its fast path (no commander, pino, node-pty or daemon code); false when
// the full command line must handle it.
function fastExec(): boolean {
  if (args[0] !== 'exec' || invokedAs() === 'pty-client') return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./exec-fast') as typeof import('./exec-fast')).tryExec(args.slice(1));
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else if (args[0] === 'mcp' && invokedAs() !== 'pty-client') {
  // The MCP server is a client of the daemon: it never loads the daemon's code or node-pty.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { main } = require('./run') as typeof import('./run');
  const { buildMcpProgram } = require('./mcp') as typeof import('./mcp');
  /* eslint-enable @typescript-eslint/no-require-imports */
  void main(process.argv, buildMcpProgram());
} else if (!fastExec()) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { main } = require('./run') as typeof import('./run');
  const { buildProgram } = require('./relay') as typeof import('./relay');
  const { buildClientCommand } = require('./client') as typeof import('./client');
  /* eslint-enable @typescript-eslint/no-require-imports */
  void main(process.argv, invokedAs() === 'pty-client' ? buildClientCommand('pty-client') : buildProgram());
}
