import { describe, expect, it } from 'vitest';
import { PeerUidResolver, uidFromTables } from '../../../../src/daemon/server/security';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:270E 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:270E 01 00000000:00000000 00:00000000 00000000  1001        0 2 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:270E 0100007F:270F 01 00000000:00000000 00:00000000 00000000     0        0 6 1 0000000000000000 20 4 30 10 -1
   2: 0200007F:D431 0100007F:270E 01 00000000:00000000 00:00000000 00000000  1002        0 3 1 0000000000000000 20 4 30 10 -1
   4: 0300007F:D431 0100007F:270E 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000
   5: 0400007F:D432 0100007F:270E 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000
   6: 0400007F:D432 0100007F:270F 01 00000000:00000000 00:00000000 00000000  1005        0 7 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:A001 00000000000000000000000001000000:270E 01 00000000:00000000 00:00000000 00000000  1003        0 4 1 0000000000000000 20 4 30 10 -1
   1: 0000000000000000FFFF00000100007F:B002 0000000000000000FFFF00000100007F:270E 01 00000000:00000000 00:00000000 00000000  1004        0 5 1 0000000000000000 20 4 30 10 -1
`;
const TABLES = { tcp: TCP, tcp6: TCP6 };

describe('uidFromTables', () => {
  it.each([
    ['127.0.0.1', 0xd431, 1001],
    ['127.0.0.2', 0xd431, 1002],
    ['::1', 0xa001, 1003],
    ['::ffff:127.0.0.1', 0xb002, 1004],
    ['127.0.0.1', 0xb002, 1004],
    ['127.0.0.1', 0x270e, 0],
    ['127.0.0.1', 1, null],
    // TIME_WAIT (inode 0, "uid 0") is nobody's, and does not hide a held socket after it.
    ['127.0.0.3', 0xd431, null],
    ['127.0.0.4', 0xd432, 1005],
    ['::1', 0xd431, null],
    // The daemon's own row has the client's address in its *remote* column: never match that.
    ['127.0.0.1', 0x270f, null],
  ])('%s:%i → %s', (addr, port, uid) => expect(uidFromTables(TABLES, addr, port)).toBe(uid));

  it('answers a batch of concurrent lookups with one read of each table', async () => {
    const reads: string[] = [];
    // Serves each table in 37-byte pieces, so rows are split across chunks.
    const r = new PeerUidResolver(async function* (f) {
      reads.push(f);
      const text = f.endsWith('tcp6') ? TCP6 : TCP;
      for (let i = 0; i < text.length; i += 37) yield text.slice(i, i + 37);
    });
    const uids = await Promise.all([r.lookup('127.0.0.1', 0xd431), r.lookup('::1', 0xa001), r.lookup('127.0.0.2', 0xd431)]);
    expect(uids).toEqual([1001, 1003, 1002]);
    expect(reads.sort()).toEqual(['/proc/net/tcp', '/proc/net/tcp6']);
  });

  it('finds a real connection of ours in the live tables', async () => {
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const client = net.connect({ host: '127.0.0.1', port });
    const accepted = await new Promise<import('node:net').Socket>((r) => server.once('connection', r));
    expect(await new PeerUidResolver().lookup(accepted.remoteAddress!, accepted.remotePort!)).toBe(process.getuid!());
    client.destroy();
    server.close();
  });
});
