// Section 7: the sandbox's CPU cap. The same CPU-bound loop runs for LOOP_S seconds of wall time in
// a sandboxed session (the default profile: 0.5 CPU) and, at the same moment, in a plain session
// beside it (its uncapped peer: the two see the same load), and each reports the CPU time it got
// as a share of one CPU. The capped share should be about 0.5 (less on a busy machine), and the
// ratio capped/uncapped about 0.5 on an idle machine with a core for each, nearer 1 when the machine
// gives the uncapped loop less than the cap anyway.
import { QUICK, facts, notes, record, section, startRelay } from './context';
import { execTcp } from './exec';
import { stat } from './lib';

// Long enough to span many 100 ms CPU periods, short enough to keep the section under a minute.
const LOOP_S = 2;
const SHARE = `python3 -c 'import time; t = time.time(); c = time.process_time()
while time.time() - t < ${LOOP_S}: pass
print("share", (time.process_time() - c) / (time.time() - t))'\n`;

async function share(port: number, head: string): Promise<number | string> {
  const reply = await execTcp(port, `${head}${SHARE}`);
  const m = /share ([\d.]+)/.exec(reply);
  return m === null ? reply.trim() : Number(m[1]);
}

export async function sandboxCpu(): Promise<void> {
  section('7. Sandboxed sessions: the CPU cap');
  const relay = await startRelay();
  const n = QUICK ? 1 : 5;
  const capped: number[] = [];
  const free: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const [c, f] = await Promise.all([share(relay.port, '#!session capped\n#!sandbox\n'), share(relay.port, '#!session uncapped\n')]);
    if (typeof c === 'string') {
      notes.push(`Sandbox CPU cap: not measured, the default profile did not run here: ${c.slice(0, 300)}`);
      relay.stop();
      return;
    }
    if (typeof f === 'string') throw new Error(`the uncapped loop failed: ${f.slice(0, 300)}`);
    capped.push(c);
    free.push(f);
    ratios.push(c / f);
  }
  const cs = record(stat('CPU loop in a sandbox capped at 0.5 CPU: share of one CPU', 'CPU', capped));
  const fs = record(stat('the same loop at once in a plain session: share of one CPU', 'CPU', free));
  const rs = record(stat('capped share / uncapped share, run side by side', 'ratio', ratios));
  process.stdout.write(`  ratio capped/uncapped: ${rs.p50.toFixed(2)} (capped ${cs.p50.toFixed(2)} CPU, uncapped ${fs.p50.toFixed(2)} CPU)\n`);
  facts.push(
    `The sandbox's CPU cap (the default profile's 0.5 CPU, here by a cgroup) held a ${LOOP_S} s busy loop to a median share of ${cs.p50.toFixed(2)} CPU while the same loop beside it, uncapped, got ${fs.p50.toFixed(2)} CPU (ratio ${rs.p50.toFixed(2)}).`,
  );
  relay.stop();
}
