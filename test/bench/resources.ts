// Sections 4 and 5: the daemon's memory per idle session, and scale (concurrent and sequential
// execs, a crowd of attached clients), with descriptors and memory checked afterwards.
import { execFileSync } from 'node:child_process';
import { BIN, QUICK, facts, record, section, startRelay } from './context';
import { execTcp } from './exec';
import { Framed, fdCount, now, rssKb, stat, until } from './lib';

// Daemon, shell and ring memory at each session count, for results.json.
export const memoryRows: Array<{ sessions: number; daemonKb: number; shellsKb: number; ringKb: number }> = [];

// The daemon's RSS once it stops moving (two readings 300 ms apart within 256 kB).
function settled(pid: number): Promise<number> {
  let prev = 0;
  return until('RSS to settle', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const v = rssKb(pid);
    const stable = Math.abs(v - prev) < 256;
    prev = v;
    return stable ? v : undefined;
  });
}

export async function memory(): Promise<void> {
  section('4. Memory: daemon RSS with idle sessions');
  const d = await startRelay();
  await execTcp(d.port, '#!session warm\ntrue\n');
  execFileSync(BIN, ['kill', 'warm', '--port', String(d.port)]);
  const levels = [0, 1, 10, 100];
  const rows = memoryRows;
  let made = 0;
  for (const n of levels) {
    for (; made < n; made++) await execTcp(d.port, `#!session m${made}\ntrue\n`);
    const daemonKb = await settled(d.pid);
    const ls = JSON.parse(execFileSync(BIN, ['ls', '--json', '--port', String(d.port)], { encoding: 'utf8' })) as Array<{ pid: number; ringAllocated: number }>;
    const shellsKb = ls.reduce((a, s) => a + (s.pid ? rssKb(s.pid) : 0), 0);
    const ringKb = ls.reduce((a, s) => a + s.ringAllocated, 0) / 1024;
    rows.push({ sessions: n, daemonKb, shellsKb, ringKb });
    process.stdout.write(`  ${String(n).padStart(3)} sessions: daemon ${daemonKb} kB, shells ${shellsKb} kB, rings ${ringKb.toFixed(0)} kB\n`);
  }
  const last = rows[rows.length - 1]!;
  const first = rows[0]!;
  const perSession = (last.daemonKb - first.daemonKb) / 100;
  const perRing = last.ringKb / 100;
  record(stat('daemon kB per idle session (incl. its ring)', 'kB', [perSession]));
  record(stat('daemon kB per idle session, beyond its ring', 'kB', [perSession - perRing]));
  record(stat('shell (bash) kB per idle session', 'kB', [last.shellsKb / 100]));
  d.stop();
}

export async function scale(): Promise<void> {
  section('5. Scale');
  const d = await startRelay();
  for (let i = 0; i < 10; i++) await execTcp(d.port, `#!session s${i}\ntrue\n`);
  let t = now();
  const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => execTcp(d.port, `#!session s${i % 10}\necho ${i}\n`)));
  const concurrentMs = now() - t;
  const errors = results.filter((r, i) => r.status !== 'fulfilled' || r.value !== `${i}\n`).length;
  record(stat('100 concurrent execs over 10 sessions: wall time', 'ms', [concurrentMs]));
  facts.push(`100 concurrent execs: ${errors} errors`);
  // Two rounds of 1000: the first is timed; the second shows whether memory keeps growing once
  // the heap has reached its working size (the first round's growth is mostly V8 sizing its heap).
  let seqErrors = 0;
  const round = async (): Promise<number> => {
    const start = now();
    for (let i = 0; i < 1000; i++) if ((await execTcp(d.port, `#!session s0\necho ${i}\n`)) !== `${i}\n`) seqErrors++;
    return now() - start;
  };
  for (let i = 0; i < 50; i++) await execTcp(d.port, `#!session s0\necho ${i}\n`);
  const fdBefore = fdCount(d.pid);
  const seqMs = await round();
  record(stat('1000 sequential execs: requests per second', 'req/s', [1000 / (seqMs / 1000)]));
  const rssBefore = await settled(d.pid);
  await round();
  const fdAfter = await until('descriptors to return', () => (fdCount(d.pid) <= fdBefore + 2 ? fdCount(d.pid) : undefined), 10_000).catch(() => fdCount(d.pid));
  const rssAfter = await settled(d.pid);
  record(stat('1000 sequential execs: daemon RSS growth over a second 1000', 'kB', [rssAfter - rssBefore]));
  record(stat('1000 sequential execs: daemon descriptor growth over 2000', 'fds', [fdAfter - fdBefore]));
  facts.push(`2 × 1000 sequential execs: ${seqErrors} errors; daemon fds ${fdBefore} before, ${fdAfter} after; RSS ${rssBefore} kB after the first 1000, ${rssAfter} kB after the second`);
  // 50 attached clients on one session while it prints a flood.
  const clients = await Promise.all(Array.from({ length: 50 }, async () => {
    const f = new Framed(d.port);
    await f.attach('crowd');
    return f;
  }));
  const lines = QUICK ? 100_000 : 1_000_000;
  const all = Promise.all(clients.map((f) => new Promise<void>((resolve) => {
    let tail = '';
    f.onOutput = (c) => {
      const text = tail + c.toString('latin1');
      if (text.includes('CROWD-END\r\n')) resolve();
      tail = text.slice(-64);
    };
  })));
  t = now();
  clients[0]!.input(`seq 1 ${lines}; printf 'CROWD-%s\\n' END\r`);
  await all;
  record(stat(`50 attached clients, seq 1 ${lines}: time until all saw the end`, 'ms', [now() - t]));
  facts.push(`50 attached clients: ${clients.reduce((a, f) => a + f.gaps, 0)} gap notices in total`);
  for (const f of clients) f.close();
  d.stop();
}
