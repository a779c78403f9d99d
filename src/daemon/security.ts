// Who is on the other end? Loopback is not an authentication boundary: every local user can
// connect to 127.0.0.1. On Linux the kernel's socket tables say which uid owns the client's end.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';

// The uid owning the local TCP socket at `address`:`port` (the client's end of a loopback
// connection), from /proc/net/tcp and /proc/net/tcp6; null when it cannot be found.
//
// These tables list every TCP socket on the machine, TIME_WAIT ones included, so under a burst of
// connections they grow to thousands of lines. The search reads in chunks and stops at the row
// whose *local* address column (the one right after "N: ") matches.
export function tcpPeerUid(address: string, port: number, readTable: (file: string, visit: (chunk: string) => boolean) => void = readProcChunks): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const v4 = net.isIPv4(address);
  const tables: Array<[string, string[]]> = v4
    ? [['/proc/net/tcp', [hexV4(address)]], ['/proc/net/tcp6', [hexV6Mapped(address)]]]
    : [['/proc/net/tcp6', [hexV6(address)]], ...(/^::ffff:/i.test(address) ? [['/proc/net/tcp', [hexV4(address.slice(7))]] as [string, string[]]] : [])];
  for (const [table, ips] of tables) {
    const needles = ips.map((ip) => `: ${ip}:${hexPort} `);
    let uid: number | null = null;
    let carry = '';
    try {
      readTable(table, (chunk) => {
        const text = carry + chunk;
        for (const needle of needles) {
          const at = text.indexOf(needle);
          if (at === -1) continue;
          const end = text.indexOf('\n', at);
          if (end === -1) {
            carry = text.slice(Math.max(0, text.lastIndexOf('\n', at))); // the row goes on in the next chunk
            return true;
          }
          uid = Number(text.slice(at + 2, end).trim().split(/\s+/)[6]);
          return false;
        }
        carry = text.slice(Math.max(0, text.lastIndexOf('\n')));
        return true;
      });
    } catch {
      continue;
    }
    if (uid !== null && Number.isInteger(uid)) return uid;
  }
  return null;
}

const CHUNK_BYTES = 64 * 1024;

// Reads a /proc file chunk by chunk until `visit` returns false.
function readProcChunks(file: string, visit: (chunk: string) => boolean): void {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0 || !visit(buf.toString('latin1', 0, n))) return;
    }
  } finally {
    fs.closeSync(fd);
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

// Compares a presented secret with the configured one in constant time.
export function secretMatches(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
