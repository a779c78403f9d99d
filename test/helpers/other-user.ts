// A real second local user for the cross-user tests: created with useradd (a per-pid name),
// removed with userdel; its programs run through runuser. The "squatter" is a listener of that
// user that records every byte it receives: what a client must never hand it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { run, type ClientResult } from './clients';
import { waitFor } from './deadline';

export interface OtherUser {
  name: string;
  uid: number;
  run(argv: string[], input?: string, ms?: number): Promise<ClientResult>;
  remove(): void;
}

// Creates the user (a system user without a home or a login shell).
export function addOtherUser(tag: string): OtherUser {
  const name = `pr${tag}${process.pid % 100000}`;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  return {
    name,
    uid,
    run: (argv, input = '', ms) => run(['runuser', '-u', name, '--', ...argv], input, ms),
    remove: () => execFileSync('userdel', [name]),
  };
}

// The squatter's program: listens (TCP host+port, or a unix path), prints "listening PORT" and,
// for every chunk a client sends it, "got N"; answers nothing.
const SQUATTER = `
const net = require('node:net');
const [where, port] = process.argv.slice(1);
const server = net.createServer((s) => { s.on('data', (c) => process.stdout.write('got ' + c.length + '\\n')); s.on('error', () => {}); });
server.on('error', (e) => { process.stdout.write('error ' + e.code + '\\n'); process.exit(3); });
const opts = port === undefined ? { path: where } : { host: where, port: Number(port), ipv6Only: where.includes(':') };
server.listen(opts, () => process.stdout.write('listening ' + (port === undefined ? 0 : server.address().port) + '\\n'));
`;

export interface Squatter {
  port: number;
  received(): number; // bytes received from all clients so far
  stop(): Promise<void>;
}

// Starts a listener as `user`; rejects when it cannot listen (with its error code).
export async function squat(user: OtherUser, where: string, port?: number): Promise<Squatter> {
  const proc: ChildProcess = spawn('runuser', ['-u', user.name, '--', process.execPath, '-e', SQUATTER, where, ...(port === undefined ? [] : [String(port)])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const first = await waitFor('the squatter to listen', () => /^(listening|error) (\S+)\n/m.exec(out) ?? undefined, 15_000);
  if (first[1] === 'error') throw new Error(`squatter: ${first[2]}`);
  return {
    port: Number(first[2]),
    received: () => [...out.matchAll(/^got (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
