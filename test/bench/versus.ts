// Section "versus": the exec round trip of this build against another commit's, in the same run,
// interleaved, so that whatever else the machine does weighs on both alike (as pino's CI runs its
// benchmarks on the branch and on its base). Each round times, for each of the two daemons, a
// request through `nc -N`, through `nc` without EOF, and from this process; the order of the two
// daemons alternates from round to round, and the nc floor is timed once per round.
//
//   node dist/bench/run.js --only=versus --base=REV [--head=REV] [--rounds=N]
//
// --base defaults to main; --head to this checkout as built (dist/). A build of the same tree on
// both sides (--base=HEAD on a clean checkout) shows the noise of the comparison itself.
import * as os from 'node:os';
import { QUICK, env, facts, record, section, startRelay, type Relay } from './context';
import { execTcp } from './exec';
import { now, stat, timed } from './lib';
import { daemonProcesses, since, snapshot, type Times } from './cpu';
import { buildRevision, workingTree, type Build } from './trees';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
// Rounds: each gives one sample of every client against both daemons (~50 ms a round here).
const ROUNDS = Number(arg('rounds') ?? (QUICK ? 30 : 300));
// Bounds the measuring loop on a machine so loaded that a round takes far longer.
const MAX_MS = 10 * 60_000;

type Client = { name: string; once: (port: number) => Promise<number> };
const CLIENTS: Client[] = [
  { name: 'echo true | nc -N', once: async (port) => (await timed(['nc.openbsd', '-N', '127.0.0.1', String(port)], 'true\n', env))[0] },
  { name: 'echo true | nc (no EOF)', once: async (port) => (await timed(['nc.openbsd', '127.0.0.1', String(port)], 'true\n', env))[0] },
  {
    name: 'in-process client (TCP)',
    once: async (port) => {
      const t = now();
      const reply = await execTcp(port, 'true\n');
      if (reply !== '') throw new Error(`bench: versus: unexpected reply ${JSON.stringify(reply.slice(0, 200))}`);
      return now() - t;
    },
  },
];

const f2 = (v: number): string => v.toFixed(2);
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');

export async function versus(floorPort: number): Promise<void> {
  const base = buildRevision(arg('base') ?? 'main');
  const headRev = arg('head');
  const head = headRev === undefined ? workingTree() : buildRevision(headRev);
  section(`V. Exec round trip: ${head.label} against ${base.label} (${ROUNDS} rounds, interleaved)`);
  const builds: Array<{ build: Build; relay: Relay; samples: number[][]; procs: { daemon: number; shells: number[] }; before: Times[] }> = [];
  for (const build of [base, head]) builds.push({ build, relay: await startRelay([], false, build.bin), samples: CLIENTS.map(() => []), procs: { daemon: 0, shells: [] }, before: [] });
  const floor: number[] = [];
  const floorOnce = async (): Promise<number> => (await timed(['nc.openbsd', '-N', '127.0.0.1', String(floorPort)], 'true\n', env))[0];
  // Warm-up: each daemon's first request starts its session's shell.
  for (let i = 0; i < 5; i++) for (const b of builds) for (const c of CLIENTS) await c.once(b.relay.port);
  // CPU time from here on: the daemon's threads, and its session's shell and holder.
  for (const b of builds) {
    b.procs = daemonProcesses(b.build.bin, b.relay.port, b.relay.pid);
    b.before = [snapshot([b.procs.daemon]), snapshot(b.procs.shells)];
  }
  const loadBefore = load();
  const until = Date.now() + MAX_MS;
  let rounds = 0;
  for (; rounds < ROUNDS && Date.now() < until; rounds++) {
    floor.push(await floorOnce());
    const order = rounds % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) for (const [i, c] of CLIENTS.entries()) (b.samples[i] as number[]).push(await c.once(b.relay.port));
  }
  const loadAfter = load();
  const cpu = builds.map((b) => [snapshot([b.procs.daemon]), snapshot(b.procs.shells)].map((t, i) => since(t, b.before[i] as Times)));
  for (const b of builds) b.relay.stop();
  const fl = record(stat('versus: floor, nc -N to a server that answers at once', 'ms', floor));
  const [b, h] = builds as [(typeof builds)[0], (typeof builds)[0]];
  const table: string[] = [];
  for (const [i, c] of CLIENTS.entries()) {
    const bs = b.samples[i] as number[];
    const hs = h.samples[i] as number[];
    const paired = hs.map((v, k) => v - (bs[k] as number));
    const sb = record(stat(`versus: ${c.name}: base ${b.build.label}`, 'ms', bs));
    const sh = record(stat(`versus: ${c.name}: head ${h.build.label}`, 'ms', hs));
    const diff = record(stat(`versus: ${c.name}: paired difference head - base`, 'ms', paired));
    const floorNote = c.name.includes('nc -N') ? `; above the nc floor (${f2(fl.p50)}): base +${f2(sb.p50 - fl.p50)}, head +${f2(sh.p50 - fl.p50)}` : '';
    table.push(`${c.name}: base ${f2(sb.p50)}/${f2(sb.p90)} ms (p50/p90), head ${f2(sh.p50)}/${f2(sh.p90)} ms, head/base ${f2(sh.p50 / sb.p50)}× at p50 and ${f2(sh.p90 / sb.p90)}× at p90; head - base in the same round: p50 ${f2(diff.p50)} ms, p10 ${f2(p10(paired))}, p90 ${f2(diff.p90)}${floorNote}`);
  }
  // Per request: every client's request in every round.
  const perReq = (ns: number): number => ns / 1000 / (rounds * CLIENTS.length);
  for (const [k, b2] of builds.entries()) {
    const [d, sh] = cpu[k] as [Times, Times];
    const side = k === 0 ? 'base' : 'head';
    record(stat(`versus: CPU per request, daemon (all threads): ${side} ${b2.build.label}`, 'µs', [perReq(d.runNs)]));
    record(stat(`versus: CPU per request, session shell and holder: ${side} ${b2.build.label}`, 'µs', [perReq(sh.runNs)]));
    const per = (n: number): string => (n / (rounds * CLIENTS.length)).toFixed(1);
    table.push(`per request, ${side}: CPU daemon ${perReq(d.runNs).toFixed(0)} µs, shell and holder ${perReq(sh.runNs).toFixed(0)} µs; run-queue wait ${perReq(d.waitNs + sh.waitNs).toFixed(0)} µs; times on a CPU (wake-ups) daemon ${per(d.slices)}, shell and holder ${per(sh.slices)}`);
  }
  facts.push(`versus: ${h.build.label} (head) against ${b.build.label} (base), ${rounds} rounds interleaved, load average ${loadBefore} before and ${loadAfter} after`);
  facts.push(...table.map((t) => `versus: ${t}`));
  process.stdout.write(`${table.map((t) => `  ${t}\n`).join('')}  ${rounds} rounds; load average ${loadBefore} before, ${loadAfter} after\n`);
}

function p10(samples: number[]): number {
  const s = [...samples].sort((x, y) => x - y);
  return s[Math.floor(0.1 * (s.length - 1) + 0.5)] ?? NaN;
}
