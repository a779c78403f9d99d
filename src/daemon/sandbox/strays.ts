// Ends every process in a sandbox except its shell: what `#!kill` does in a sandboxed session, where
// a fork bomb's processes leave their job's process group and outlive it. The sandbox's processes
// are the descendants of the program the PTY started (bwrap); its shell and the wrappers above the
// shell are kept. Rounds of SIGKILL until none is left: a process still forking between two reads
// of /proc is caught by the next round, and the process cap bounds how many there can be.
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// At most this many rounds, this far apart: SIGKILL takes effect at once, so a few rounds suffice.
const ROUNDS = 100;
const ROUND_GAP_MS = 10;

// SIGKILLs every live descendant of `outer` except `keep` and its ancestors; resolves with how many
// processes it ended.
export async function killStrays(outer: number, keep: number): Promise<number> {
  const killed = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    const table = processTable();
    const kept = new Set<number>();
    for (let p: number | undefined = keep; p !== undefined && p > 1 && !kept.has(p); p = table.get(p)?.ppid) kept.add(p);
    const victims = descendants(table, outer).filter((p) => !kept.has(p) && table.get(p)?.state !== 'Z');
    if (victims.length === 0) return killed.size;
    for (const p of victims) {
      try {
        process.kill(p, 'SIGKILL');
        killed.add(p);
      } catch {
        // gone already
      }
    }
    await sleep(ROUND_GAP_MS);
  }
  return killed.size;
}

function descendants(table: Map<number, { ppid: number }>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const out: number[] = [];
  const todo = [...(children.get(root) ?? [])];
  while (todo.length > 0) {
    const p = todo.pop() as number;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { ppid: Number(f[1]), state: f[0] ?? '?' });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}
