// Bench helpers: timing child processes, percentiles, and a minimal framed client.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Decoder } from '../../src/protocol/decoder';
import { encode, FrameType, type Frame } from '../../src/protocol/frame';

export interface Stat {
  name: string;
  unit: string;
  n: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export function stat(name: string, unit: string, samples: number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] ?? NaN;
  return { name, unit, n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

// Runs argv with `input` on stdin; resolves to [ms, stdout bytes].
export function timed(argv: string[], input = '', env: NodeJS.ProcessEnv = process.env): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const t = now();
    const [cmd, ...args] = argv as [string, ...string[]];
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'], env });
    let bytes = 0;
    p.stdout.on('data', (c: Buffer) => (bytes += c.length));
    p.on('error', reject);
    p.on('close', () => resolve([now() - t, bytes]));
    p.stdin.on('error', () => undefined); // programs that never read stdin (tmux)
    p.stdin.end(input);
  });
}

// Runs argv and resolves to [ms, stdout text].
export function timedText(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const t = now();
    const [cmd, ...args] = argv as [string, ...string[]];
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('close', () => resolve([now() - t, out]));
  });
}

// Repeats an async measurement `n` times (after `warm` unrecorded runs), bounded by `maxMs`.
export async function repeat(n: number, fn: () => Promise<number>, warm = 3, maxMs = 120_000): Promise<number[]> {
  for (let i = 0; i < warm; i++) await fn();
  const out: number[] = [];
  const until = Date.now() + maxMs;
  while (out.length < n && Date.now() < until) out.push(await fn());
  return out;
}

export function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

export function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// Waits until `check` returns a value, polling every 10 ms, failing after `ms`.
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Starts a process and resolves once `ready` matches its stdout.
export function startProcess(argv: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) {
        proc.stdout?.off('data', onData);
        proc.stdout?.resume();
        resolve({ proc, match: m });
      }
    };
    proc.stdout?.on('data', onData);
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited (${code}) before it was ready: ${out.slice(-300)}`)));
  });
}

// A framed client for attach-mode measurements.
export class Framed {
  readonly socket: net.Socket;
  private readonly decoder = new Decoder();
  private waiters: Array<(f: Frame) => boolean> = [];
  outputBytes = 0;
  gaps = 0;
  onOutput: ((data: Buffer) => void) | null = null;
  private inputOffset = 0;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('error', () => undefined);
    // Ping as pty-client does, so long measurements are not dropped by the daemon's heartbeat.
    let id = 0;
    const ping = setInterval(() => this.send({ type: FrameType.PING, body: { id: ++id } }), 5_000);
    ping.unref();
    this.socket.once('close', () => clearInterval(ping));
    this.socket.on('data', (d: Buffer) => {
      for (const f of this.decoder.push(d)) {
        if (f.type === FrameType.PING) this.send({ type: FrameType.PONG, body: { id: f.body.id } });
        if (f.type === FrameType.OUTPUT) {
          this.outputBytes += f.data.length;
          this.onOutput?.(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength));
          this.send({ type: FrameType.ACK, body: { offset: f.offset + f.data.length } });
        } else if (f.type === FrameType.GAP) this.gaps++;
        this.waiters = this.waiters.filter((w) => !w(f));
      }
    });
  }

  send(f: Frame): void {
    this.socket.write(encode(f));
  }

  // HELLO + ATTACH; resolves once the screen arrived.
  attach(session: string, readOnly = false): Promise<void> {
    this.send({ type: FrameType.HELLO, body: { proto: 1, caps: [], agent: 'bench' } });
    this.send({ type: FrameType.ATTACH, body: { session, create: true, resume: null, cols: 200, rows: 50, readOnly, clientId: `bench-${Math.random()}`, inputFrom: 0 } });
    return new Promise((resolve, reject) => {
      this.socket.once('close', () => reject(new Error(`bench: attach to ${session} closed`)));
      this.waiters.push((f) => {
        if (f.type === FrameType.ERROR) reject(new Error(`bench: attach to ${session}: ${f.body.message}`));
        if (f.type === FrameType.SCREEN) resolve();
        return f.type === FrameType.SCREEN || f.type === FrameType.ERROR;
      });
    });
  }

  input(text: string | Buffer): void {
    const data = Buffer.from(text);
    this.send({ type: FrameType.INPUT, offset: this.inputOffset, data });
    this.inputOffset += data.length;
  }

  close(): void {
    this.socket.destroy();
  }
}
