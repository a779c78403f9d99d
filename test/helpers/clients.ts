// Real exec clients: each netcat flavour, socat and bash's /dev/tcp, fed a request on stdin.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { RELAY_BIN } from './daemon';
import { deadline } from './deadline';

export interface ClientResult {
  stdout: string;
  stdoutBytes: Buffer; // stdout exactly, for binary output
  stderr: string;
  code: number | null;
}

// How to run each client against 127.0.0.1 (or ::1 / localhost where that is the point).
export const CLIENTS: Record<string, (port: number) => string[]> = {
  'nc.openbsd -N': (port) => ['nc.openbsd', '-N', '127.0.0.1', String(port)],
  'nc.openbsd (no EOF)': (port) => ['nc.openbsd', '127.0.0.1', String(port)],
  'nc.traditional (no EOF)': (port) => ['nc.traditional', '127.0.0.1', String(port)],
  ncat: (port) => ['ncat', '127.0.0.1', String(port)],
  'busybox nc localhost': (port) => ['busybox', 'nc', 'localhost', String(port)],
  'socat -t 60': (port) => ['socat', '-t', '60', '-', `TCP:127.0.0.1:${port}`],
  'bash /dev/tcp': (port) => ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; cat >&3; cat <&3`],
};

// Runs `argv` with `input` on stdin; kills it (by PID) if it outlives `ms`.
export function run(argv: string[], input: string | Buffer, ms = 30_000, env?: NodeJS.ProcessEnv): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SHLVL: '1', ...env } });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} did not finish within ${deadline(ms)} ms; output so far: ${Buffer.concat(out).toString().slice(-500)}`));
    }, deadline(ms));
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdin.on('error', () => undefined);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolve({ stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr: err, code });
    });
    p.stdin.end(input);
  });
}

// A client left running: its output so far, its end, and a way to kill it (by its PID) mid-way,
// as an agent's tool that gives up on a call does.
export interface LiveClient {
  out(): string;
  done: Promise<ClientResult>;
  kill(): void;
}

// Starts `argv` with `input` on stdin and returns at once.
export function start(argv: string[], input: string): LiveClient {
  const [cmd, ...args] = argv as [string, ...string[]];
  const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SHLVL: '1' } });
  const out: Buffer[] = [];
  let err = '';
  p.stdout.on('data', (d: Buffer) => out.push(d));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  p.stdin.on('error', () => undefined);
  const done = new Promise<ClientResult>((resolve, reject) => {
    p.on('error', reject);
    p.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolve({ stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr: err, code });
    });
  });
  p.stdin.end(input);
  return { out: () => Buffer.concat(out).toString('utf8'), done, kill: () => p.kill('SIGKILL') };
}

// The default client: netcat-openbsd with -N (sends EOF).
export function nc(port: number, input: string, ms?: number): Promise<ClientResult> {
  return run(['nc.openbsd', '-N', '127.0.0.1', String(port)], input, ms);
}

// `pty-relay exec` from the built artefact.
export function relayExec(port: number, args: string[], input = '', ms?: number): Promise<ClientResult> {
  return run([process.execPath, RELAY_BIN, 'exec', '--port', String(port), ...args], input, ms);
}

// A raw TCP client for tests that need to control when bytes are sent.
export class RawClient {
  readonly socket: net.Socket;
  private chunks: Buffer[] = [];
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    this.socket.on('data', (d: Buffer) => this.chunks.push(d));
    // The server's FIN ends the reply (real netcat exits on it); 'close' also covers a reset.
    this.closed = new Promise((resolve) => {
      this.socket.once('end', () => resolve());
      this.socket.once('close', () => resolve());
    });
    this.socket.on('error', () => undefined);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  send(s: string): void {
    this.socket.write(s);
  }
}

// One exec request over a plain socket, without spawning a client: send, half-close, read to the
// end. For loops of thousands of requests.
export function execOverSocket(port: number, text: string): Promise<string> {
  return execOver(() => net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }), text);
}

// The same over a socket made by `open` (TCP with other options, or a unix socket).
export function execOver(open: () => net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = open();
    const out: Buffer[] = [];
    s.on('data', (c: Buffer) => out.push(c));
    s.on('error', reject);
    s.on('end', () => {
      s.end();
      resolve(Buffer.concat(out).toString());
    });
    s.on('connect', () => s.end(text));
  });
}
