// What a session in a sandbox (sandbox/) does about it: tell the caps hit, and end the processes
// that left their job (a fork bomb's) without touching the shell.
import type { Logger } from '../../log';
import type { SessionSandbox } from '../sandbox/sandbox';
import { killStrays } from '../sandbox/strays';
import type { Shell } from '../shell/shell';

// The caps hit since the last call, in words (logged too); empty outside a sandbox. `shellPid`: the
// sandbox's shell (its /tmp is looked at), null when it has none.
export function sandboxHits(sandbox: SessionSandbox | undefined, shellPid: number | null, log: Logger): string[] {
  const hits = sandbox?.hits(shellPid) ?? [];
  for (const hit of hits) log.warn({ evt: 'sandbox.cap_hit' }, hit);
  return hits;
}

// Ends every process in the sandbox but the shell; how many.
export async function killSandboxStrays(sandbox: SessionSandbox | undefined, shell: Shell | null, log: Logger): Promise<number> {
  if (sandbox === undefined || shell === null) return 0;
  const n = await killStrays(shell.pty.pid, shell.pid);
  if (n > 0) log.info({ evt: 'sandbox.strays_killed', processes: n }, 'processes in the sandbox ended');
  return n;
}
