// What the program does with its arguments. Multi-call: invoked as `pty-client` it is the attach
// client. `--version` and `exec` are answered by fast-start.ts before the rest of the program is
// even loaded, and `pty-relay mcp` loads only the MCP server's side of the program. Entered from
// main.ts (dist/main.js, and the single binary's full program).
import { invokedAs, startFast } from './fast-start';

// Runs the program with the arguments after the executable's name.
export function start(args: string[]): void {
  if (startFast(args)) return;
  if (args[0] === 'mcp' && invokedAs() !== 'pty-client') {
    // The MCP server is a client of the daemon: it never loads the daemon's code or node-pty.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { main } = require('./run') as typeof import('./run');
    const { buildMcpProgram } = require('./mcp') as typeof import('./mcp');
    /* eslint-enable @typescript-eslint/no-require-imports */
    void main(process.argv, buildMcpProgram());
    return;
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { main } = require('./run') as typeof import('./run');
  const { buildProgram } = require('./relay') as typeof import('./relay');
  const { buildClientCommand } = require('./client') as typeof import('./client');
  /* eslint-enable @typescript-eslint/no-require-imports */
  void main(process.argv, invokedAs() === 'pty-client' ? buildClientCommand('pty-client') : buildProgram());
}
