// Section 7: the sandbox's CPU cap. A CPU-bound loop runs for LOOP_S seconds of wall time in a
// sandboxed session (the default profile: 0.5 CPU) and in a plain one, and reports the CPU time it
// got as a share of one CPU: about 0.5 and about 1.0 (less on a busy machine).
import { QUICK, facts, notes, record, section, startRelay } from './context';
import { execTcp } from './exec';
import { stat } from './lib';

// Long enough to span many 100 ms CPU periods, short enough to keep the section under a minute.
const LOOP_S = 2;
const SHARE = `python3 -c 'import time; t = time.time(); c = time.process_time()
while time.time() - t < ${LOOP_S}: pass
print("share", (time.process_time() - c) / (time.time() - t))'\n`;

async function shares(port: number, head: string, n: number): Promise<number[] | string> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const reply = await execTcp(port, `${head}${SHARE}`);
    const m = /share ([\d.]+)/.exec(reply);
    if (m === null) return reply.trim();
    out.push(Number(m[1]));
  }
  return out;
}

export async function sandboxCpu(): Promise<void> {
  section('7. Sandboxed sessions: the CPU cap');
  const relay = await startRelay();
  const n = QUICK ? 1 : 5;
  const capped = await shares(relay.port, '#!session capped\n#!sandbox\n', n);
  if (typeof capped === 'string') {
    notes.push(`Sandbox CPU cap: not measured, the default profile did not run here: ${capped.slice(0, 300)}`);
  } else {
    record(stat('CPU loop in a sandbox capped at 0.5 CPU: share of one CPU', 'CPU', capped));
    const free = await shares(relay.port, '#!session uncapped\n', n);
    if (typeof free !== 'string') record(stat('the same loop in a plain session: share of one CPU', 'CPU', free));
    facts.push(`The sandbox's CPU cap (the default profile's 0.5 CPU, here by a cgroup) held a ${LOOP_S} s busy loop to a median share of ${stat('', '', capped).p50.toFixed(2)} CPU.`);
  }
  relay.stop();
}
