// Section 1d: the peer-uid check with 5,000 sockets in TIME_WAIT on the machine. The bench makes
// them itself: connections from this process to a listener of its own on 127.0.0.1, each closed
// by the client first (so the client's end waits out TIME_WAIT, 60 s on Linux, then vanishes by
// itself). Bounded in count and time; the listener is closed at the end.
import * as net from 'node:net';
import { PeerUidResolver } from '../../src/daemon/server/security';
import { loadSockDiag } from '../../src/native/sock-diag';
import { QUICK, RTT_N, record, rtt, section, tcpSockets, type Relay } from './context';
import { now, stat } from './lib';

// As many as the issue asks for; far below the ephemeral port range (~28,000).
const TIME_WAIT_SOCKETS = 5000;
// Connections open at once while making them.
const PARALLEL = 100;
// Making them takes ~1-2 s here; give up (and say so) well before TIME_WAIT ends.
const MAKE_DEADLINE_MS = 30_000;
const LOOKUPS = 200;

// Opens and closes `n` loopback connections, client side first; resolves to how many closed.
async function makeTimeWait(n: number): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (c) => {
    c.on('error', () => undefined);
    c.on('end', () => c.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const until = Date.now() + MAKE_DEADLINE_MS;
  let made = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const c = net.connect({ host: '127.0.0.1', port });
      c.on('error', () => resolve());
      c.on('connect', () => c.end());
      c.on('close', () => {
        made++;
        resolve();
      });
      c.resume();
    });
  try {
    for (let started = 0; started < n && Date.now() < until; started += PARALLEL) {
      await Promise.all(Array.from({ length: Math.min(PARALLEL, n - started) }, one));
    }
  } finally {
    server.close();
  }
  return made;
}

// Time per peer-uid lookup of a live loopback connection, by netlink and by the /proc scan.
async function lookupCosts(label: string): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  const s = await new Promise<net.Socket>((r) => server.once('connection', r));
  const loaded = loadSockDiag();
  if (loaded.ok) {
    const samples: number[] = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const t = now();
      loaded.diag.lookup(s.remoteAddress as string, s.remotePort as number, s.localAddress as string, s.localPort as number);
      samples.push((now() - t) * 1000);
    }
    record(stat(`peer-uid lookup, netlink sock_diag (${label})`, 'µs', samples));
  }
  const proc = new PeerUidResolver();
  const samples: number[] = [];
  for (let i = 0; i < (QUICK ? 10 : 50); i++) {
    const t = now();
    await proc.lookup(s.remoteAddress as string, s.remotePort as number);
    samples.push(now() - t);
  }
  record(stat(`peer-uid lookup, /proc/net/tcp scan (${label})`, 'ms', samples));
  client.destroy();
  s.destroy();
  server.close();
}

export async function timeWait(relay: Relay): Promise<void> {
  section(`1d. Exec round trip with ${TIME_WAIT_SOCKETS} sockets in TIME_WAIT`);
  const before = tcpSockets();
  await lookupCosts(`${before} sockets`);
  await rtt(`pty-relay: echo true | nc -N (${before} TCP sockets on the machine)`, ['nc.openbsd', '-N', '127.0.0.1', String(relay.port)], 'true\n');
  const made = await makeTimeWait(TIME_WAIT_SOCKETS);
  const after = tcpSockets();
  process.stdout.write(`  made ${made} TIME_WAIT sockets: ${after} TCP sockets on the machine now\n`);
  await lookupCosts(`${after} sockets`);
  await rtt(`pty-relay: echo true | nc -N (+${made} in TIME_WAIT, ${after} TCP sockets)`, ['nc.openbsd', '-N', '127.0.0.1', String(relay.port)], 'true\n', Math.min(RTT_N, 100));
}
