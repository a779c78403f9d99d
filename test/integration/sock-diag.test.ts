// The peer-uid addon against the real kernel: our own loopback sockets, one held by another
// user (created with useradd, connected through runuser), a TIME_WAIT socket, and tuples that
// do not exist. Needs `make build` (dist/native/sock_diag.node) and root (useradd, runuser).
import { execFileSync, spawn } from 'node:child_process';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from '../helpers/deadline';
import { peerUidLookup, type PeerTuple } from '../../src/daemon/server/peer-uid';
import { loadSockDiag, type SockDiag } from '../../src/native/sock-diag';

const TCP_ESTABLISHED = 1;
const TCP_TIME_WAIT = 6;
const OTHER = `prdiag${process.pid % 100000}`;
let otherUid = 0;
let diag: SockDiag;

beforeAll(() => {
  const loaded = loadSockDiag();
  if (!loaded.ok) throw new Error(`sock_diag.node did not load (run make build): ${loaded.reason}`);
  diag = loaded.diag;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER]);
  otherUid = Number(execFileSync('id', ['-u', OTHER], { encoding: 'utf8' }).trim());
});
afterAll(() => {
  execFileSync('userdel', [OTHER]);
});

// A listener on `host`; `accepted()` resolves to the next connection it accepts.
async function listener(host: string): Promise<{ server: net.Server; port: number; accepted(): Promise<net.Socket> }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return { server, port, accepted: () => within('a connection', new Promise<net.Socket>((r) => server.once('connection', r)), 10_000) };
}

function tuple(s: net.Socket): PeerTuple {
  return { remoteAddress: s.remoteAddress!, remotePort: s.remotePort!, localAddress: s.localAddress!, localPort: s.localPort! };
}

describe.each(['127.0.0.1', '::1'])('over %s', (host) => {
  it('names us as the owner of the client end of a loopback connection', async () => {
    const l = await listener(host);
    const client = net.connect({ host, port: l.port });
    const s = await l.accepted();
    const info = diag.lookup(s.remoteAddress!, s.remotePort!, s.localAddress!, s.localPort!);
    expect(info).toMatchObject({ uid: process.getuid!(), state: TCP_ESTABLISHED });
    expect(info!.inode).toBeGreaterThan(0);
    // The server's own end is a different socket, found by swapping the tuple.
    expect(diag.lookup(s.localAddress!, s.localPort!, s.remoteAddress!, s.remotePort!)).toMatchObject({ uid: process.getuid!(), state: TCP_ESTABLISHED });
    expect(await peerUidLookup({}).lookup(tuple(s))).toBe(process.getuid!());
    client.destroy();
    s.destroy();
    l.server.close();
  });

  it('names another user as the owner of the socket that user opened', async () => {
    const l = await listener(host);
    // nc keeps the connection open while its stdin is open.
    const nc = spawn('runuser', ['-u', OTHER, '--', 'nc.openbsd', host, String(l.port)], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const s = await l.accepted();
      expect(diag.lookup(s.remoteAddress!, s.remotePort!, s.localAddress!, s.localPort!)).toMatchObject({ uid: otherUid, state: TCP_ESTABLISHED });
      const netlink = peerUidLookup({});
      const proc = peerUidLookup({ PTY_RELAY_PEER_UID: 'proc' });
      expect([netlink.method, proc.method]).toEqual(['netlink', 'proc']);
      expect(await netlink.lookup(tuple(s))).toBe(otherUid);
      expect(await proc.lookup(tuple(s))).toBe(otherUid);
      s.destroy();
    } finally {
      nc.kill();
      l.server.close();
    }
  });

  it('answers null for a tuple that does not exist', async () => {
    const l = await listener(host);
    // A port that nobody listens on: the listener's own port, closed.
    l.server.close();
    expect(diag.lookup(host, 1, host, l.port)).toBeNull();
    expect(await peerUidLookup({}).lookup({ remoteAddress: host, remotePort: 1, localAddress: host, localPort: l.port })).toBeNull();
  });

  it('reports a TIME_WAIT socket as held by nobody, never as root', async () => {
    const l = await listener(host);
    const client = net.connect({ host, port: l.port });
    const s = await l.accepted();
    const t = tuple(s);
    // The client closes first, so its end goes to TIME_WAIT once the server closes too.
    const closed = new Promise((r) => client.once('close', r));
    s.on('end', () => s.end());
    client.end();
    await within('the connection to close', closed, 10_000);
    const info = diag.lookup(t.remoteAddress, t.remotePort, t.localAddress, t.localPort);
    expect(info).toMatchObject({ uid: 0, inode: 0, state: TCP_TIME_WAIT });
    expect(await peerUidLookup({}).lookup(t)).toBeNull();
    expect(await peerUidLookup({ PTY_RELAY_PEER_UID: 'proc' }).lookup(t)).toBeNull();
    l.server.close();
  });
});

it('rejects arguments that are not an address pair of one family', () => {
  expect(() => diag.lookup('127.0.0.1', 1, '::1', 2)).toThrow(/one family/);
  expect(() => diag.lookup('localhost', 1, '127.0.0.1', 2)).toThrow(/one family/);
  expect(() => diag.lookup('127.0.0.1', 70000, '127.0.0.1', 2)).toThrow(/lookup\(localIp/);
  expect(() => (diag.lookup as (...a: unknown[]) => unknown)('127.0.0.1', 1)).toThrow(/lookup\(localIp/);
});

it('finds an IPv4 client of a dual-stack IPv6 listener through its IPv4 socket', async () => {
  const l = await listener('::');
  const client = net.connect({ host: '127.0.0.1', port: l.port });
  const s = await l.accepted();
  expect(s.remoteAddress).toBe('::ffff:127.0.0.1');
  expect(await peerUidLookup({}).lookup(tuple(s))).toBe(process.getuid!());
  client.destroy();
  s.destroy();
  l.server.close();
});
