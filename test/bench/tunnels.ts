// Section 1b: exec round trips through a real sshd on loopback, with a plain `ssh -N -L` tunnel
// and with `pty-relay tunnel` (ssh -tt).
import { spawn } from 'node:child_process';
import { freePort, Sshd, waitListening } from '../helpers/sshd';
import { BIN, RTT_N, cleanups, env, rtt, section } from './context';

export async function tunnels(relayPort: number): Promise<void> {
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

