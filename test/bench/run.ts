// `make bench`: measures pty-relay against the floor and its peers in one run, on the same work,
// and writes bench-results/results.md and results.json. No assertions: numbers and targets only.
// `--quick` (make bench-quick, run by CI as a smoke test) does every section with fewer samples;
// `--only a,b` runs some sections (names below), for working on one thing. `--only=versus
// --base=REV` compares this build's exec round trip with another commit's (versus.ts); it runs
// only when asked for.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, QUICK, cleanups, facts, notes, stats, tmp, startRelay } from './context';
import { execRoundTrips, execTcp, startFloor, unixVersusTcp } from './exec';
import { holders } from './holders';
import { echoLatency } from './interactive';
import { memory, memoryRows, scale } from './resources';
import { sandboxCpu } from './sandbox';
import { startup } from './startup';
import { targets, type Target } from './targets';
import { throughput } from './throughput';
import { timeWait } from './timewait';
import { tunnels } from './tunnels';
import { versus } from './versus';

const OUT_DIR = path.join(process.cwd(), 'bench-results');
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? null;
const runs = (name: string): boolean => ONLY === null || ONLY.includes(name);
// It builds another commit first: only when named, or when a base is given.
const runsVersus = ONLY?.includes('versus') === true || process.argv.some((a) => a.startsWith('--base='));

function writeResults(ts: Target[]): void {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const meta = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, quick: QUICK, binary: BIN, load: os.loadavg() };
  fs.writeFileSync(path.join(OUT_DIR, 'results.json'), `${JSON.stringify({ meta, stats, targets: ts, memory: memoryRows, scale: facts, notes }, null, 2)}\n`);
  const f = (v: number): string => (Number.isNaN(v) ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  // A "|" inside a cell (`echo true | nc`) would end it.
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const lines = [
    `# pty-relay benchmarks`,
    '',
    `${meta.date}, Node ${meta.node}, ${meta.cpus} × ${meta.cpu}${QUICK ? ' (quick run)' : ''}, load average at the end ${meta.load.map((l) => l.toFixed(1)).join(' ')}. Every figure is from this one run.`,
    '',
    '| measurement | unit | p50 | p90 | p99 | n |',
    '|---|---|---|---|---|---|',
    ...stats.map((s) => `| ${cell(s.name)} | ${s.unit} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${s.n} |`),
    '',
    '## Targets',
    '',
    'The first rows are the goals of issue 13 (performance); the rest are the earlier targets.',
    '',
    '| target | goal | measured | met |',
    '|---|---|---|---|',
    ...ts.map((t) => `| ${cell(t.what)} | ${cell(t.goal)} | ${cell(t.measured)} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    ...(ts.some((t) => !t.met) ? ['### Why the missed targets are missed', '', ...ts.filter((t) => !t.met).map((t) => `- **${t.what}.** ${t.why ?? ''}`), ''] : []),
    ...facts.map((s) => `- ${s}`),
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  fs.writeFileSync(path.join(OUT_DIR, 'results.md'), lines.join('\n'));
}

async function main(): Promise<void> {
  if (!fs.existsSync(BIN)) throw new Error('dist/pty-relay is missing: run `make binary` first');
  process.stdout.write(`pty-relay benchmarks${QUICK ? ' (quick)' : ''}: ${BIN}\n`);
  const relay = await startRelay([], true);
  await execTcp(relay.port, 'true\n');
  const floorPort = await startFloor();
  if (runs('exec')) await execRoundTrips(relay, floorPort);
  if (runs('unix')) await unixVersusTcp(relay);
  if (runsVersus) await versus(floorPort);
  if (runs('tunnels')) await tunnels(relay.port);
  if (runs('throughput')) await throughput(relay.port);
  if (runs('echo')) await echoLatency(relay.port);
  relay.stop();
  if (runs('memory')) await memory();
  if (runs('scale')) await scale();
  if (runs('startup')) await startup();
  if (runs('sandbox')) await sandboxCpu();
  if (runs('holders')) await holders();
  // Last: its TIME_WAIT sockets linger for 60 s, and must not weigh on the sections above.
  if (runs('timewait')) {
    const tw = await startRelay();
    await execTcp(tw.port, 'true\n');
    await timeWait(tw);
    tw.stop();
  }
  const ts = targets();
  writeResults(ts);
  process.stdout.write(`\nTargets:\n${ts.map((t) => `  ${t.met ? 'met   ' : 'MISSED'} ${t.what}: ${t.measured} (goal ${t.goal})`).join('\n')}\n`);
  process.stdout.write(`\nWrote ${path.join(OUT_DIR, 'results.md')} and results.json\n`);
}

main()
  .catch((err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of cleanups.reverse()) {
      try {
        c();
      } catch {
        // already gone
      }
    }
    // Daemons need a moment to remove their files after SIGTERM.
    setTimeout(() => {
      fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
      process.exit();
    }, 1000).unref();
  });
