// Who is on the other end? Loopback is not an authentication boundary: every local user can
// connect to 127.0.0.1. On Linux the kernel's socket tables say which uid owns the client's end.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';

// The uid owning the local TCP socket at `address`:`port` (the client's end of a loopback
// connection), from /proc/net/tcp and /proc/net/tcp6; null when it cannot be found.
export function tcpPeerUid(address: string, port: number, readTable: (file: string) => string = readProc): number | null {
  const want = net.isIPv4(address) ? [hexV4(address), hexV6Mapped(address)] : [hexV6(address)];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readTable(table);
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      const uid = f[7];
      if (local === undefined || uid === undefined) continue;
      const [ip, hexPort] = local.split(':');
      if (ip === undefined || hexPort === undefined || parseInt(hexPort, 16) !== port) continue;
      if (want.includes(ip.toUpperCase())) return Number(uid);
    }
  }
  return null;
}

function readProc(file: string): string {
  return fs.readFileSync(file, 'latin1');
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
