// Who is on the other end? Loopback is not an authentication boundary: every local user can
// connect to 127.0.0.1. On Linux the kernel's socket tables say which uid owns the client's end.
import * as fs from 'node:fs';
import * as net from 'node:net';

export interface TcpTables {
  tcp: string; // the text of /proc/net/tcp
  tcp6: string; // the text of /proc/net/tcp6
}

// The uid owning the local TCP socket at `address`:`port` (the client's end of a loopback
// connection) in the given tables; null when it is not there, or when no process holds the socket
// any more (inode 0: TIME_WAIT, or closed by its owner; TIME_WAIT rows even say uid 0). Only the
// *local* address column (the one right after "N: ") is matched, never the remote one.
export function uidFromTables(tables: TcpTables, address: string, port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const candidates: Array<[string, string]> = net.isIPv4(address)
    ? [[tables.tcp, hexV4(address)], [tables.tcp6, hexV6Mapped(address)]]
    : [[tables.tcp6, hexV6(address)], ...(/^::ffff:/i.test(address) ? [[tables.tcp, hexV4(address.slice(7))] as [string, string]] : [])];
  for (const [text, ip] of candidates) {
    const needle = `: ${ip}:${hexPort} `;
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      const end = text.indexOf('\n', at);
      const fields = text.slice(at + 2, end === -1 ? text.length : end).trim().split(/\s+/);
      const uid = Number(fields[6]);
      // A held socket may follow a TIME_WAIT one with the same local address: keep looking.
      if (fields[8] !== '0' && Number.isInteger(uid)) return uid;
    }
  }
  return null;
}

// Looks up peers' uids in the kernel's socket tables, off the main thread and in batches.
//
// /proc/net/tcp lists every TCP socket on the machine, TIME_WAIT ones included, at a few µs per
// line: after a burst of connections a full read takes milliseconds (see the benchmarks). So the
// tables are read asynchronously (the event loop keeps serving other clients), chunk by chunk,
// stopping as soon as every waiting connection's row was found, and one read answers every
// connection that arrived while the previous one was running.
export class PeerUidResolver {
  private waiting: Array<{ address: string; port: number; resolve: (uid: number | null) => void }> = [];
  private reading = false;

  // `open` is injectable for tests: it yields a table's text in chunks.
  constructor(private readonly open: (file: string) => AsyncIterable<string> = readChunks) {}

  lookup(address: string, port: number): Promise<number | null> {
    return new Promise((resolve) => {
      this.waiting.push({ address, port, resolve });
      if (!this.reading) {
        // Start on the next turn, so that connections accepted in this one share the read.
        this.reading = true;
        setImmediate(() => void this.scan());
      }
    });
  }

  private async scan(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.map((w) => ({ ...w, uid: null as number | null }));
      this.waiting = [];
      for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
        const open = batch.filter((w) => w.uid === null);
        if (open.length === 0) break;
        let text = '';
        try {
          for await (const chunk of this.open(file)) {
            // Keep the unfinished last line for the next chunk; look only at whole lines.
            text += chunk;
            const cut = text.lastIndexOf('\n') + 1;
            const whole = text.slice(0, cut);
            text = text.slice(cut);
            for (const w of open) if (w.uid === null) w.uid = uidFromTables(file.endsWith('6') ? { tcp: '', tcp6: whole } : { tcp: whole, tcp6: '' }, w.address, w.port);
            if (open.every((w) => w.uid !== null)) break;
          }
        } catch {
          // an unreadable table: those peers stay unknown
        }
      }
      for (const w of batch) w.resolve(w.uid);
    }
    this.reading = false;
  }
}

const CHUNK_BYTES = 256 * 1024;

// Yields a /proc file's text chunk by chunk, reading on the thread pool.
async function* readChunks(file: string): AsyncIterable<string> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield buf.toString('latin1', 0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

// /proc/net/tcp prints each 32-bit word of the address in host (little-endian) byte order.
function word(bytes: number[]): string {
  return bytes
    .slice()
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

function hexV4(a: string): string {
  return word(a.split('.').map(Number));
}

function hexV6Mapped(a: string): string {
  return `0000000000000000FFFF0000${hexV4(a)}`;
}

function hexV6(a: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return hexV6Mapped(mapped[1] as string);
  const bytes = ipv6Bytes(a);
  let out = '';
  for (let i = 0; i < 16; i += 4) out += word(bytes.slice(i, i + 4));
  return out;
}

function ipv6Bytes(a: string): number[] {
  const [head = '', tail = ''] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = a.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}
