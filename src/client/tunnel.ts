// `pty-relay tunnel HOST`: keeps an SSH tunnel to the daemon up, restarting ssh when it dies.
//
// Why `-tt` and a remote `sleep`: OpenSSH turns on TCP_NODELAY only for sessions that have a tty.
// A plain `ssh -N -L` tunnel therefore leaves Nagle's algorithm on, and every small
// request/reply exchange waits for a delayed ACK: about 42 ms each way here. A session with a
// tty (that just sleeps) makes the same tunnel cost under a millisecond. See the benchmarks.
//
// Runs on the laptop, macOS or Linux: only OpenSSH client options that both ship. The remote
// command runs on the server, which is Linux (the daemon is): `sleep infinity` is GNU coreutils'
// and busybox's, not a local program.
import { spawn } from 'node:child_process';
import { backoffDelay, RECONNECT_BACKOFF } from '../backoff';

export interface TunnelOptions {
  host: string;
  localPort: number;
  remote: string; // "127.0.0.1:9998" or a remote unix-socket path (which no other user can squat)
  ssh: string;
  extra: string[]; // more ssh arguments
  once: boolean;
  log: (line: string) => void;
}

// The ssh command line for a low-latency tunnel.
export function tunnelArgs(o: Pick<TunnelOptions, 'host' | 'localPort' | 'remote' | 'extra'>): string[] {
  return [
    '-tt', // a tty session, so OpenSSH sets TCP_NODELAY (see above)
    '-o', 'ServerAliveInterval=15', // notice a dead link within ~45 s
    '-o', 'ServerAliveCountMax=3',
    '-o', 'ExitOnForwardFailure=yes', // fail (and retry) rather than run without the forward
    '-o', 'BatchMode=yes', // never stop at a password prompt
    '-L', `127.0.0.1:${o.localPort}:${o.remote}`,
    ...o.extra,
    o.host,
    'exec sleep infinity',
  ];
}

// Runs ssh until it exits (once) or forever with backoff; resolves to ssh's last exit status.
export async function runTunnel(o: TunnelOptions): Promise<number> {
  const args = tunnelArgs(o);
  for (let attempt = 1; ; attempt++) {
    o.log(`pty-relay tunnel: ${o.ssh} ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
    const started = Date.now();
    let stopping = false;
    const code = await new Promise<number>((resolve) => {
      const child = spawn(o.ssh, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      // ssh must never outlive us: pass termination signals on, then exit with its status.
      const forward = (sig: NodeJS.Signals): void => {
        stopping = true;
        child.kill(sig);
      };
      const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
      for (const sig of signals) process.on(sig, forward);
      const done = (c: number): void => {
        for (const sig of signals) process.off(sig, forward);
        resolve(c);
      };
      child.on('error', (err) => {
        o.log(`pty-relay tunnel: cannot run ${o.ssh}: ${err.message}`);
        done(255);
      });
      child.on('exit', (c, sig) => done(c ?? 128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15)));
    });
    if (stopping) return code;
    if (o.once) return code;
    if (Date.now() - started > 60_000) attempt = 1; // it was up a while: start the backoff afresh
    const delay = backoffDelay(RECONNECT_BACKOFF, attempt);
    o.log(`pty-relay tunnel: ssh exited with status ${code}; reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt})`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
