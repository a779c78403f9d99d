// The commands answered without the rest of the program: `--version`, and `exec` on its fast path
// (exec-fast.ts: no commander, pino, node-pty or daemon code). In the single binary this is all
// its start-up snapshot holds (sea-main.ts); dispatch.ts runs everything else.
import * as path from 'node:path';
import { VERSION } from '../version';

// The name the program was started under. Inside the single binary argv[1] is the resolved
// executable, so it comes from argv0 there (a `pty-client` symlink keeps its own name).
export function invokedAs(): string {
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

// Loads and warms the exec fast path without running anything: the single binary calls this while
// its startup snapshot is built, so `exec` starts with its modules (node:net among them) loaded.
export function prepareExec(): void {
  execFast().parseExecArgs(['--port', '1', '--', 'true'], {});
}

// Runs `--version` or `exec` on its fast path (args: those after the executable's name); false
// when the rest of the program must handle them.
export function startFast(args: string[]): boolean {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return true;
  }
  return args[0] === 'exec' && invokedAs() !== 'pty-client' && execFast().tryExec(args.slice(1));
}
