// What every bench section shares: the run's options, the figures recorded so far, a throwaway
// HOME, daemons started for the run, and the cleanups that stop them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startProcess, stat, timed, repeat, type Stat } from './lib';

export const ROOT = process.cwd();
export const QUICK = process.argv.includes('--quick');
export const BIN = path.join(ROOT, 'dist/pty-relay');
// Round trips per measurement: enough for a stable p50 and a meaningful p99.
export const RTT_N = QUICK ? 20 : 200;

export const stats: Stat[] = [];
export const notes: string[] = [];
export const facts: string[] = [];
export const cleanups: Array<() => void> = [];
export const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-bench-'));
const home = path.join(tmp, 'home');
fs.mkdirSync(home);
fs.writeFileSync(path.join(home, '.bashrc'), '');
export const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', TERM: 'xterm-256color' };

// Records a figure and prints it.
export function record(s: Stat): Stat {
  stats.push(s);
  const f = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  process.stdout.write(`  ${s.name.padEnd(58)} p50 ${f(s.p50)} ${s.unit}  p90 ${f(s.p90)}  p99 ${f(s.p99)}  n=${s.n}\n`);
  return s;
}

export function section(title: string): void {
  process.stdout.write(`\n${title}\n`);
}

// A recorded figure by name; null when its section did not run.
export function find(name: string): Stat | null {
  return stats.find((x) => x.name === name) ?? null;
}

// Times `argv` fed `input`, n times; records the round trips.
export async function rtt(name: string, argv: string[], input: string, n = RTT_N): Promise<Stat> {
  return record(stat(name, 'ms', await repeat(n, async () => (await timed(argv, input, env))[0])));
}

export interface Relay {
  port: number;
  pid: number;
  socket: string | null;
  stop(): void;
}

// Starts the single binary (or `bin`, another build's command) with the limits off; `unix` also
// gives it a socket.
export async function startRelay(extra: string[] = [], unix = false, bin: string[] = [BIN]): Promise<Relay> {
  const rt = fs.mkdtempSync(path.join(tmp, 'rt-'));
  const socket = unix ? path.join(rt, 'relay.sock') : null;
  const argv = [...bin, 'serve', '--port', '0', ...(socket ? ['--socket', socket] : ['--no-socket']), '--runtime-dir', rt, '--output-rate', '0', '--input-rate', '0', '--connection-rate', '0', '--max-sessions', '300', '--max-clients', '100', ...extra];
  const { proc, match } = await startProcess(argv, /"evt":"server.listening","port":(\d+)/, env);
  const stop = (): void => {
    proc.kill('SIGTERM');
  };
  cleanups.push(stop);
  return { port: Number(match[1]), pid: proc.pid as number, socket, stop };
}

// Sockets in the kernel's TCP tables (both families), TIME_WAIT ones included.
export function tcpSockets(): number {
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      n += fs.readFileSync(f, 'latin1').split('\n').length - 2;
    } catch {
      // no IPv6 table
    }
  }
  return n;
}
