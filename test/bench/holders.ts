// Section 8: what a holder per session costs (README "Sessions that survive the daemon"): each
// holder's memory (RSS and PSS, from /proc/PID/smaps_rollup: PSS shares its libc pages out among
// the holders), and the exec round trip of a daemon with holders against one with --no-holders in
// the same run, alternated so both see the same machine.
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { BIN, QUICK, RTT_N, facts, record, section, startRelay } from './context';
import { execTcp } from './exec';
import { now, stat } from './lib';

// Sessions whose holders are measured.
const SESSIONS = QUICK ? 5 : 50;

// Rss and Pss of `pid` in kB, from smaps_rollup.
function smaps(pid: number): { rss: number; pss: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rss: kb('Rss'), pss: kb('Pss') };
  } catch {
    return null;
  }
}

export async function holders(): Promise<void> {
  section(`8. Holders: memory per session (${SESSIONS} sessions), exec round trip with and without`);
  const held = await startRelay();
  const bare = await startRelay(['--no-holders']);
  for (let i = 0; i < SESSIONS; i++) await execTcp(held.port, `#!session h${i}\ntrue\n`);
  const ls = JSON.parse(execFileSync(BIN, ['ls', '--json', '--port', String(held.port)], { encoding: 'utf8' })) as Array<{ holder?: { state: string; pid: number | null } }>;
  const pids = ls.flatMap((s) => (s.holder?.state === 'held' && s.holder.pid !== null ? [s.holder.pid] : []));
  const mem = pids.flatMap((p) => {
    const m = smaps(p);
    return m === null ? [] : [m];
  });
  if (mem.length === 0) facts.push('holders: no holder pid listed (a daemon without holders?); memory not measured');
  else {
    record(stat('holder RSS per session', 'kB', mem.map((m) => m.rss)));
    record(stat('holder PSS per session (shared pages split)', 'kB', mem.map((m) => m.pss)));
    facts.push(`holders: ${mem.length} of ${SESSIONS} sessions held; RSS ${mem.reduce((a, m) => a + m.rss, 0)} kB, PSS ${mem.reduce((a, m) => a + m.pss, 0)} kB in all`);
  }
  await execTcp(bare.port, 'true\n');
  const withHolders: number[] = [];
  const without: number[] = [];
  const once = async (port: number): Promise<number> => {
    const t = now();
    await execTcp(port, 'true\n');
    return now() - t;
  };
  for (let i = 0; i < 3; i++) await Promise.all([once(held.port), once(bare.port)]); // warm
  const until = Date.now() + 120_000;
  for (let i = 0; i < RTT_N && Date.now() < until; i++) {
    withHolders.push(await once(held.port));
    without.push(await once(bare.port));
  }
  record(stat('exec round trip (true, TCP socket): holders', 'ms', withHolders));
  record(stat('exec round trip (true, TCP socket): --no-holders', 'ms', without));
  held.stop();
  bare.stop();
}
