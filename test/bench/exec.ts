// Section 1: exec round trips against the floor and the peers, and over the unix socket.
import { execFileSync, spawn } from 'node:child_process';
import * as net from 'node:net';
import { execOver } from '../helpers/clients';
import { freePort, waitListening } from '../helpers/sshd';
import { BIN, RTT_N, cleanups, env, record, rtt, section, type Relay } from './context';
import { now, repeat, startProcess, stat, timed } from './lib';

// Requests in the unix-versus-TCP loop, as in the measurement.
const LOOP_N = 100;

// Over TCP to 127.0.0.1.
export function execTcp(port: number, text: string): Promise<string> {
  return execOver(() => net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true }), text);
}

// Over the daemon's unix socket.
export function execUnix(socket: string, text: string): Promise<string> {
  return execOver(() => net.connect({ path: socket, allowHalfOpen: true }), text);
}

// The floor: a server that answers at once, in a process of its own.
export async function startFloor(): Promise<number> {
  const floor = await startProcess([process.execPath, '-e', `
    const s = require('net').createServer({ allowHalfOpen: true }, (c) => { c.once('data', () => c.end('ok\\n')); c.on('error', () => {}); });
    s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));`], /port (\d+)/);
  cleanups.push(() => floor.proc.kill());
  return Number(floor.match[1]);
}

export async function execRoundTrips(relay: Relay, floorPort: number): Promise<void> {
  section('1. Exec round trip (true)');
  const fp = String(floorPort);
  await rtt('floor: nc -N to a server that answers at once', ['nc.openbsd', '-N', '127.0.0.1', fp], 'true\n');
  await rtt('floor: nc (no -N) to a server that answers at once', ['nc.openbsd', '127.0.0.1', fp], 'true\n');
  await rtt('pty-relay: echo true | nc -N', ['nc.openbsd', '-N', '127.0.0.1', String(relay.port)], 'true\n');
  await rtt('pty-relay: echo true | nc (no -N, no EOF)', ['nc.openbsd', '127.0.0.1', String(relay.port)], 'true\n');
  // Alternated, so both see the same machine: the client's start-up against a bare start.
  const version: number[] = [];
  const execs = await repeat(Math.min(RTT_N, 50), async () => {
    version.push((await timed([BIN, '--version'], '', env))[0]);
    return (await timed([BIN, 'exec', '--port', String(relay.port), '--', 'true'], '', env))[0];
  });
  record(stat('pty-relay: pty-relay exec -- true (binary)', 'ms', execs));
  record(stat('pty-relay --version, alternated with the exec above', 'ms', version));

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
  await rtt('peer: socat EXEC:bash,pty (fresh shell), nc -N', ['nc.openbsd', '-N', '127.0.0.1', String(sp)], 'true; exit\n', Math.min(RTT_N, 100));
}

// The same request over TCP and over the unix socket, alternated, from this process (no client
// process start-up in the figure).
export async function unixVersusTcp(relay: Relay): Promise<void> {
  section(`1c. Exec over the unix socket beside TCP (a loop of ${LOOP_N}, alternated)`);
  if (relay.socket === null) throw new Error('bench: the relay has no unix socket');
  const tcp: number[] = [];
  const unix: number[] = [];
  const errors = { n: 0 };
  const time = async (fn: () => Promise<string>, into: number[]): Promise<void> => {
    const t = now();
    if ((await fn()) !== '') errors.n++;
    into.push(now() - t);
  };
  for (let i = 0; i < 5; i++) await time(() => execTcp(relay.port, 'true\n'), []);
  for (let i = 0; i < LOOP_N; i++) {
    await time(() => execTcp(relay.port, 'true\n'), tcp);
    await time(() => execUnix(relay.socket as string, 'true\n'), unix);
  }
  record(stat('exec over TCP (in-process client, loop)', 'ms', tcp));
  record(stat('exec over the unix socket (in-process client, loop)', 'ms', unix));
  if (errors.n > 0) throw new Error(`bench: ${errors.n} loop requests got an unexpected reply`);
}
