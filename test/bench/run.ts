// `make bench`: measures pty-relay against the floor and its peers in one run, on the same work,
// and writes bench-results/results.md and results.json. No assertions: numbers and targets only.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodePty from 'node-pty';
import { execOverSocket } from '../helpers/clients';
import { freePort, Sshd, waitListening } from '../helpers/sshd';
import { PeerUidResolver } from '../../src/daemon/server/security';
import { fdCount, Framed, now, repeat, rssKb, startProcess, stat, timed, timedText, until, type Stat } from './lib';

const ROOT = process.cwd();
const QUICK = process.argv.includes('--quick');
const BIN = path.join(ROOT, 'dist/pty-relay');
const OUT_DIR = path.join(ROOT, 'bench-results');
const SEQ_N = QUICK ? 2_000_000 : 20_000_000;
const RTT_N = QUICK ? 20 : 200;
const ECHO_N = QUICK ? 100 : 1000;
const TP_RUNS = QUICK ? 1 : 3;

const stats: Stat[] = [];
const notes: string[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-bench-'));
const home = path.join(tmp, 'home');
fs.mkdirSync(home);
fs.writeFileSync(path.join(home, '.bashrc'), '');
const env = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', TERM: 'xterm-256color' };
const cleanups: Array<() => void> = [];

function record(s: Stat): Stat {
  stats.push(s);
  const f = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  process.stdout.write(`  ${s.name.padEnd(58)} p50 ${f(s.p50)} ${s.unit}  p90 ${f(s.p90)}  p99 ${f(s.p99)}  n=${s.n}\n`);
  return s;
}

function section(title: string): void {
  process.stdout.write(`\n${title}\n`);
}

async function startRelay(extra: string[] = []): Promise<{ port: number; pid: number; stop(): void }> {
  const rt = fs.mkdtempSync(path.join(tmp, 'rt-'));
  const argv = [BIN, 'serve', '--port', '0', '--no-socket', '--runtime-dir', rt, '--output-rate', '0', '--input-rate', '0', '--connection-rate', '0', '--max-sessions', '300', '--max-clients', '100', ...extra];
  const { proc, match } = await startProcess(argv, /"evt":"server.listening","port":(\d+)/, env);
  const stop = (): void => {
    proc.kill('SIGTERM');
  };
  cleanups.push(stop);
  return { port: Number(match[1]), pid: proc.pid as number, stop };
}

const execOnce = execOverSocket;

async function rtt(name: string, argv: string[], input: string, n = RTT_N): Promise<Stat> {
  return record(stat(name, 'ms', await repeat(n, async () => (await timed(argv, input, env))[0])));
}

async function execRoundTrips(relayPort: number): Promise<void> {
  section('1. Exec round trip (true)');
  const floor = await startProcess([process.execPath, '-e', `
    const s = require('net').createServer({ allowHalfOpen: true }, (c) => { c.once('data', () => c.end('ok\\n')); c.on('error', () => {}); });
    s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));`], /port (\d+)/);
  cleanups.push(() => floor.proc.kill());
  const fp = floor.match[1] as string;
  await rtt('floor: nc -N to a server that answers at once', ['nc.openbsd', '-N', '127.0.0.1', fp], 'true\n');
  await rtt('floor: nc (no -N) to a server that answers at once', ['nc.openbsd', '127.0.0.1', fp], 'true\n');
  await rtt('pty-relay: echo true | nc -N', ['nc.openbsd', '-N', '127.0.0.1', String(relayPort)], 'true\n');
  await rtt('pty-relay: echo true | nc (no -N, no EOF)', ['nc.openbsd', '127.0.0.1', String(relayPort)], 'true\n');
  await rtt('pty-relay: pty-relay exec -- true (binary)', [BIN, 'exec', '--port', String(relayPort), '--', 'true'], '', Math.min(RTT_N, 50));

  // A persistent shell driven the way agent tools drive tmux.
  const sock = `pty-relay-bench-${process.pid}`;
  execFileSync('tmux', ['-L', sock, '-f', '/dev/null', 'new-session', '-d', '-s', 'b', '-x', '200', '-y', '50', 'bash --norc --noprofile'], { env });
  cleanups.push(() => execFileSync('tmux', ['-L', sock, 'kill-server']));
  const tmuxOnce = async (): Promise<number> => {
    const t = now();
    await timed(['tmux', '-L', sock, 'send-keys', '-t', 'b', 'true; tmux -L ' + sock + ' wait-for -S bench-done', 'Enter']);
    await timed(['tmux', '-L', sock, 'wait-for', 'bench-done']);
    await timed(['tmux', '-L', sock, 'capture-pane', '-p', '-t', 'b']);
    return now() - t;
  };
  record(stat('peer: tmux send-keys + wait-for + capture-pane', 'ms', await repeat(Math.min(RTT_N, 100), tmuxOnce)));

  // socat's PTY relay: a fresh shell per connection, not persistent.
  const sp = await freePort();
  // The request ends with `exit`: through a PTY the client's EOF never reaches bash, so without it
  // socat would wait out its 0.5 s -t timeout (and with -t 0 it would not wait for bash at all).
  const socat = spawn('socat', [`TCP-LISTEN:${sp},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:bash --norc --noprofile,pty,stderr,setsid,sane'], { stdio: 'ignore', env });
  cleanups.push(() => socat.kill());
  await waitListening(sp);
  await rtt("peer: socat EXEC:bash,pty (fresh shell), nc -N", ['nc.openbsd', '-N', '127.0.0.1', String(sp)], 'true; exit\n', Math.min(RTT_N, 100));
}

async function tunnels(relayPort: number): Promise<void> {
  section('1b. Exec round trip through a real sshd on loopback');
  const sshd = new Sshd();
  await sshd.start();
  cleanups.push(() => sshd.stop());
  const plain = await freePort();
  const t1 = await sshd.tunnel(plain, relayPort);
  cleanups.push(() => t1.kill());
  // A reply with output is where Nagle's algorithm and delayed ACKs bite (see src/client/tunnel.ts).
  const OUTPUT_REQ = 'head -c 2000 /dev/zero | tr "\\0" x; echo\n';
  await rtt('pty-relay through `ssh -N -L` (plain): true', ['nc.openbsd', '-N', '127.0.0.1', String(plain)], 'true\n', Math.min(RTT_N, 60));
  await rtt('pty-relay through `ssh -N -L` (plain): 2 kB of output', ['nc.openbsd', '-N', '127.0.0.1', String(plain)], OUTPUT_REQ, Math.min(RTT_N, 60));
  const tty = await freePort();
  const t2 = spawn(BIN, ['tunnel', '--once', '--local-port', String(tty), '--remote', `localhost:${relayPort}`, sshd.destination, '--', ...sshd.clientArgs()], { stdio: 'ignore', env });
  cleanups.push(() => t2.kill());
  await waitListening(tty);
  await rtt('pty-relay through `pty-relay tunnel` (ssh -tt): true', ['nc.openbsd', '-N', '127.0.0.1', String(tty)], 'true\n');
  await rtt('pty-relay through `pty-relay tunnel` (ssh -tt): 2 kB of output', ['nc.openbsd', '-N', '127.0.0.1', String(tty)], OUTPUT_REQ);
  await rtt('direct, for comparison: 2 kB of output', ['nc.openbsd', '-N', '127.0.0.1', String(relayPort)], OUTPUT_REQ);
}

async function throughput(relayPort: number): Promise<void> {
  section(`2. Output throughput: seq 1 ${SEQ_N}`);
  const cmd = `seq 1 ${SEQ_N}`;
  const payload = Number((await timedText(['bash', '-c', `${cmd} | wc -c`]))[1].trim());
  const mbps = (name: string, samples: Array<[number, number]>): Stat =>
    record(stat(name, 'MB/s', samples.map(([ms, bytes]) => bytes / 1e6 / (ms / 1000))));
  // Every figure counts the command's own output (seq's bytes), so "\r" added by ONLCR is not counted.
  const ptyRun = (script: string): Promise<[number, number]> =>
    new Promise((resolve) => {
      const t = now();
      let bytes = 0;
      const p = nodePty.spawn('/bin/bash', ['--norc', '-c', script], { cols: 200, rows: 50, env, encoding: null } as nodePty.IPtyForkOptions);
      p.onData((d: string | Buffer) => {
        const b = d as Buffer;
        bytes += b.length;
        for (let i = b.indexOf(13); i !== -1; i = b.indexOf(13, i + 1)) bytes--;
      });
      p.onExit(() => resolve([now() - t, bytes]));
    });
  const runs = async (fn: () => Promise<[number, number]>): Promise<Array<[number, number]>> => {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < TP_RUNS; i++) out.push(await fn());
    return out;
  };
  mbps('floor: node-pty reading a plain PTY', await runs(() => ptyRun(cmd)));
  mbps('floor: node-pty, PTY without OPOST (stty -opost)', await runs(() => ptyRun(`stty -opost; ${cmd}`)));
  // The byte count comes from `wc -c` at the far end of the pipe.
  const counted = async (shell: string): Promise<[number, number]> => {
    const [ms, out] = await timedText(['bash', '-c', `${shell} | wc -c`]);
    return [ms, Number(out.trim())];
  };
  mbps('pty-relay exec: echo seq | nc -N (CRLF folded)', await runs(() => counted(`echo '${cmd}' | nc.openbsd -N 127.0.0.1 ${relayPort}`)));
  // Attach mode: a framed client types the command and counts output until a marker.
  const attachRun = async (): Promise<[number, number]> => {
    const f = new Framed(relayPort);
    await f.attach(`tp-${Math.random().toString(36).slice(2, 8)}`);
    let tail = '';
      const done = new Promise<void>((resolve) => {
      f.onOutput = (d) => {
        const text = tail + d.toString('latin1');
        if (text.includes('BENCH-END\r\n')) resolve();
        tail = text.slice(-64);
      };
    });
    const t = now();
    f.input(`${cmd}; printf 'BENCH-%s\\n' END\r`);
    await done;
    const ms = now() - t;
    f.close();
    return [ms, payload];
  };
  mbps('pty-relay attach: framed client (raw stream + screen mirror)', await runs(attachRun));
  const sp = await freePort();
  const socatRun = async (): Promise<[number, number]> => {
    // fork: the readiness probe takes one connection, the measured nc the next.
    const s = spawn('socat', [`TCP-LISTEN:${sp},bind=127.0.0.1,reuseaddr,fork`, `EXEC:${cmd},pty,sane`], { stdio: 'ignore', env });
    await waitListening(sp);
    const r = await counted(`nc.openbsd -N 127.0.0.1 ${sp} < /dev/null | tr -d '\\r'`);
    s.kill();
    return r;
  };
  mbps('peer: socat EXEC:seq,pty into nc', await runs(socatRun));
}

async function echoLatency(relayPort: number): Promise<void> {
  section('3. Interactive echo: one byte in, its echo out');
  const f = new Framed(relayPort);
  await f.attach('echo');
  let pending: (() => void) | null = null;
  let seen = '';
  f.onOutput = (d) => {
    seen += d.toString('latin1');
    if (pending && seen.includes('Q')) {
      const p = pending;
      pending = null;
      seen = '';
      p();
    }
  };
  const ready = new Promise<void>((r) => (pending = r));
  f.input("stty raw -echo; printf Q; exec cat\r");
  await ready;
  const viaRelay = await repeat(ECHO_N, () => new Promise<number>((resolve) => {
    const t = now();
    pending = () => resolve(now() - t);
    f.input('Q');
  }), 20);
  f.close();
  record(stat('pty-relay attach: keystroke echo (cat in raw mode)', 'ms', viaRelay));

  const p = nodePty.spawn('/bin/bash', ['--norc', '-c', 'stty raw -echo; printf Q; exec cat'], { cols: 80, rows: 24, env, encoding: null } as nodePty.IPtyForkOptions);
  let waiter: (() => void) | null = null;
  let buf = '';
  const first = new Promise<void>((r) => (waiter = r));
  p.onData((d: string | Buffer) => {
    buf += d.toString();
    if (waiter && buf.includes('Q')) {
      const w = waiter;
      waiter = null;
      buf = '';
      w();
    }
  });
  await first;
  const direct = await repeat(ECHO_N, () => new Promise<number>((resolve) => {
    const t = now();
    waiter = () => resolve(now() - t);
    p.write('Q');
  }), 20);
  p.kill();
  record(stat('floor: node-pty directly (same cat)', 'ms', direct));
}

async function memory(): Promise<void> {
  section('4. Memory: daemon RSS with idle sessions');
  const d = await startRelay();
  const settle = async (): Promise<number> => {
    let prev = 0;
    return until('RSS to settle', async () => {
      await new Promise((r) => setTimeout(r, 300));
      const v = rssKb(d.pid);
      const stable = Math.abs(v - prev) < 256;
      prev = v;
      return stable ? v : undefined;
    });
  };
  await execOnce(d.port, '#!session warm\ntrue\n');
  execFileSync(BIN, ['kill', 'warm', '--port', String(d.port)]);
  const levels = [0, 1, 10, 100];
  const rows: Array<{ sessions: number; daemonKb: number; shellsKb: number; ringKb: number }> = [];
  let made = 0;
  for (const n of levels) {
    for (; made < n; made++) await execOnce(d.port, `#!session m${made}\ntrue\n`);
    const daemonKb = await settle();
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
  memoryRows = rows;
  record(stat('daemon kB per idle session (incl. its ring)', 'kB', [perSession]));
  record(stat('daemon kB per idle session, beyond its ring', 'kB', [perSession - perRing]));
  record(stat('shell (bash) kB per idle session', 'kB', [last.shellsKb / 100]));
  d.stop();
}
let memoryRows: unknown = null;

async function scale(): Promise<void> {
  section('5. Scale');
  const d = await startRelay();
  for (let i = 0; i < 10; i++) await execOnce(d.port, `#!session s${i}\ntrue\n`);
  const fdBefore = fdCount(d.pid);
  let t = now();
  const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => execOnce(d.port, `#!session s${i % 10}\necho ${i}\n`)));
  const concurrentMs = now() - t;
  const errors = results.filter((r, i) => r.status !== 'fulfilled' || r.value !== `${i}\n`).length;
  record(stat('100 concurrent execs over 10 sessions: wall time', 'ms', [concurrentMs]));
  scaleFacts.push(`100 concurrent execs: ${errors} errors`);
  t = now();
  let seqErrors = 0;
  for (let i = 0; i < 1000; i++) if ((await execOnce(d.port, `#!session s0\necho ${i}\n`)) !== `${i}\n`) seqErrors++;
  const seqMs = now() - t;
  record(stat('1000 sequential execs: requests per second', 'req/s', [1000 / (seqMs / 1000)]));
  await until('descriptors to return', () => (fdCount(d.pid) <= fdBefore + 2 ? true : undefined), 10_000).catch(() => undefined);
  scaleFacts.push(`1000 sequential execs: ${seqErrors} errors; daemon fds ${fdBefore} before, ${fdCount(d.pid)} after`);
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
  scaleFacts.push(`50 attached clients: ${clients.reduce((a, f) => a + f.gaps, 0)} gap notices in total`);
  for (const f of clients) f.close();
  d.stop();
}
const scaleFacts: string[] = [];

async function startup(): Promise<void> {
  section('6. Start-up of the single binary');
  const warm = await repeat(QUICK ? 10 : 30, async () => (await timed([BIN, '--version'], '', { PATH: '/usr/bin:/bin' }))[0], 3);
  record(stat('pty-relay --version, warm', 'ms', warm));
  const cold: number[] = [];
  for (let i = 0; i < (QUICK ? 2 : 5); i++) {
    try {
      execFileSync('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' });
    } catch {
      notes.push('Cold start: the page cache could not be dropped here, so "cold" runs are skipped.');
      break;
    }
    cold.push((await timed([BIN, '--version'], '', { PATH: '/usr/bin:/bin' }))[0]);
  }
  if (cold.length > 0) record(stat('pty-relay --version, cold (page cache dropped)', 'ms', cold));
  const firstPrompt = await repeat(QUICK ? 2 : 5, async () => {
    const t = now();
    const d = await startRelay();
    await execOnce(d.port, 'true\n');
    const ms = now() - t;
    d.stop();
    return ms;
  }, 0);
  record(stat('serve → listening → first exec reply (fresh shell)', 'ms', firstPrompt));
}

interface Target {
  what: string;
  goal: string;
  measured: string;
  met: boolean;
  why?: string; // for a missed target: what profiling showed
}

// The uid check reads /proc/net/tcp, whose length grows with every socket on the machine,
// TIME_WAIT ones included: measure a full scan at the table's current size.
async function uidLookupCost(): Promise<void> {
  const lines = fs.readFileSync('/proc/net/tcp', 'latin1').split('\n').length - 2;
  const resolver = new PeerUidResolver();
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = now();
    await resolver.lookup('127.0.0.1', 1);
    samples.push(now() - t);
  }
  record(stat(`peer-uid lookup: reading /proc/net/tcp{,6} (${lines} sockets)`, 'ms', samples));
}

function get(name: string): Stat {
  const s = stats.find((x) => x.name === name);
  if (!s) throw new Error(`no stat ${name}`);
  return s;
}

function targets(): Target[] {
  const t: Target[] = [];
  const floor = get('floor: nc -N to a server that answers at once').p50;
  const relay = get('pty-relay: echo true | nc -N').p50;
  const uid = stats.find((x) => x.name.startsWith('peer-uid lookup'));
  const uidWhy = uid ? ` Reading the kernel's socket tables costs ${uid.p50.toFixed(2)} ms at this run's socket count (${uid.name.replace(/.*\((\d+) sockets\).*/, '$1')} sockets, mostly TIME_WAIT from the bench's own connections); a connection pays up to that before its request may run. With an agent's few requests a minute the table holds tens of sockets and the check is ~0.1 ms. The shell's own share (mark printing in PS0/PROMPT_COMMAND) is ~0.35 ms.` : '';
  const socat = get("peer: socat EXEC:bash,pty (fresh shell), nc -N").p50;
  const tmux = get('peer: tmux send-keys + wait-for + capture-pane').p50;
  t.push({ what: 'exec round trip vs the nc floor (p50)', goal: '≤ floor + 2 ms', measured: `${relay.toFixed(2)} vs ${floor.toFixed(2)} ms (+${(relay - floor).toFixed(2)})`, met: relay - floor <= 2, why: `The peer-uid check is the largest part of the daemon's time.${uidWhy}` });
  t.push({
    what: 'exec round trip beats socat and the tmux driver',
    goal: '< both',
    measured: `${relay.toFixed(2)} vs socat ${socat.toFixed(2)}, tmux ${tmux.toFixed(2)} ms`,
    met: relay < socat && relay < tmux,
    why: `socat checks nobody's uid and its fresh \`bash --norc\` has no marks to print; pty-relay pays the peer-uid check first.${uidWhy}`,
  });
  for (const kind of ['true', '2 kB of output']) {
    const tun = get(`pty-relay through \`pty-relay tunnel\` (ssh -tt): ${kind}`);
    const plainT = get(`pty-relay through \`ssh -N -L\` (plain): ${kind}`);
    t.push({
      what: `exec (${kind}) through the recommended tunnel vs the floor (p50)`,
      goal: '≤ floor + 3 ms',
      measured: `${tun.p50.toFixed(2)} ms (+${(tun.p50 - floor).toFixed(2)}); plain ssh -N: ${plainT.p50.toFixed(2)}`,
      met: tun.p50 - floor <= 3,
      why: `The tunnel adds two loopback hops and ssh's crypto to the direct round trip (compare "direct, for comparison"), on top of the direct cost explained above. What the -tt setup removes is the ~45 ms Nagle/delayed-ACK stall that plain ssh -N shows as soon as a reply carries output.${uidWhy}`,
    });
  }
  const ceil = get('floor: node-pty reading a plain PTY').p50;
  const sTp = get('peer: socat EXEC:seq,pty into nc').p50;
  for (const name of ['pty-relay exec: echo seq | nc -N (CRLF folded)', 'pty-relay attach: framed client (raw stream + screen mirror)']) {
    const v = get(name).p50;
    const attach = name.includes('attach');
    t.push({
      what: `${name.split(':')[0]} throughput`,
      goal: '≥ 90% of the PTY ceiling and ≥ socat',
      measured: `${v.toFixed(1)} MB/s = ${((100 * v) / ceil).toFixed(0)}% of ${ceil.toFixed(1)}; socat ${sTp.toFixed(1)}`,
      met: v >= 0.9 * ceil && v >= sTp,
      why: attach
        ? 'A freshly attached client makes the session start its headless terminal mirror (@xterm/headless), which then parses every output byte on the daemon\'s single thread; profiled here at ~26 MB/s on its own, so the mirror and the PTY share one core. Moving the mirror to a worker thread would put it on the second core; not done yet.'
        : 'Per ~2 kB PTY read the daemon appends to the ring, scans for marks, folds CRLF and writes to the socket (corked per event-loop turn). The PTY itself is the ceiling: its ONLCR processing costs ~4x (see the -opost floor). Exec mode keeps ONLCR because attached terminals share the PTY and need "\\r\\n"; switching OPOST off per request would need an stty (a fork) per request and break attached viewers.',
    });
  }
  const echo = get('pty-relay attach: keystroke echo (cat in raw mode)');
  const echoFloor = get('floor: node-pty directly (same cat)');
  t.push({
    what: 'echo latency through attach',
    goal: 'p50 ≤ 0.2 ms, p99 ≤ 1.5 ms',
    measured: `p50 ${echo.p50.toFixed(3)}, p99 ${echo.p99.toFixed(3)} ms (node-pty alone: p50 ${echoFloor.p50.toFixed(3)})`,
    met: echo.p50 <= 0.2 && echo.p99 <= 1.5,
    why: 'Each keystroke crosses two TCP hops of the framed protocol (client → daemon → client) on top of the PTY round trip node-pty alone measures, and the daemon also feeds the echo to the screen mirror and the ring.',
  });
  const idle = get('daemon kB per idle session, beyond its ring').p50;
  t.push({ what: 'idle session cost in the daemon, beyond ring and shell', goal: '≤ 100 kB', measured: `${idle.toFixed(0)} kB`, met: idle <= 100 });
  const ver = get('pty-relay --version, warm').p50;
  t.push({ what: 'single binary --version', goal: '≤ 35 ms', measured: `${ver.toFixed(1)} ms`, met: ver <= 35 });
  return t;
}

function writeResults(ts: Target[]): void {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const meta = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, quick: QUICK, binary: BIN };
  fs.writeFileSync(path.join(OUT_DIR, 'results.json'), `${JSON.stringify({ meta, stats, targets: ts, memory: memoryRows, scale: scaleFacts, notes }, null, 2)}\n`);
  const f = (v: number): string => (Number.isNaN(v) ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const lines = [
    `# pty-relay benchmarks`,
    '',
    `${meta.date}, Node ${meta.node}, ${meta.cpus} × ${meta.cpu}${QUICK ? ' (quick run)' : ''}. Every figure is from this one run.`,
    '',
    '| measurement | unit | p50 | p90 | p99 | n |',
    '|---|---|---|---|---|---|',
    ...stats.map((s) => `| ${s.name} | ${s.unit} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${s.n} |`),
    '',
    '## Targets',
    '',
    '| target | goal | measured | met |',
    '|---|---|---|---|',
    ...ts.map((t) => `| ${t.what} | ${t.goal} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    ...(ts.some((t) => !t.met) ? ['### Why the missed targets are missed', '', ...ts.filter((t) => !t.met).map((t) => `- **${t.what}.** ${t.why ?? ''}`), ''] : []),
    ...scaleFacts.map((s) => `- ${s}`),
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  fs.writeFileSync(path.join(OUT_DIR, 'results.md'), lines.join('\n'));
}

async function main(): Promise<void> {
  if (!fs.existsSync(BIN)) throw new Error('dist/pty-relay is missing: run `make binary` first');
  process.stdout.write(`pty-relay benchmarks${QUICK ? ' (quick)' : ''}: ${BIN}\n`);
  const relay = await startRelay();
  await execOnce(relay.port, 'true\n');
  await execRoundTrips(relay.port);
  await tunnels(relay.port);
  await uidLookupCost();
  await throughput(relay.port);
  await echoLatency(relay.port);
  relay.stop();
  await memory();
  await scale();
  await startup();
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
