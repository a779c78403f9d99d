// Which push endpoints the daemon will POST to: the SSRF rule. A subscription comes from a web page,
// so its endpoint URL is attacker-controlled input until judged here; without this rule a page
// (or anyone holding a cookie) could make the daemon send requests into the server's own network.
//
// 1. When subscribing (judgeEndpoint, pure): `https:`, port 443, no user or password, at most
//    MAX_ENDPOINT_CHARS, and the host is a DNS name of a browser vendor's push service
//    (PUSH_SERVICES: Chrome/Chromium/Opera/Brave, Firefox, Safari, Edge). No IP literals.
// 2. When sending (resolvePublic): every address the name resolves to must be public unicast
//    (isPublicAddress), and the connection goes to the address that was checked (no second lookup
//    that a DNS rebinding could answer differently). Proxies from the environment are not used.
// The one exception is for tests: `serve --web-push-test-origin http://127.0.0.1:PORT` admits
// endpoints of exactly that loopback origin (http allowed) and nothing else.
import * as dns from 'node:dns';
import * as net from 'node:net';

export const MAX_ENDPOINT_CHARS = 1024;
// Host names, or `.suffix` for any name under it.
export const PUSH_SERVICES: readonly string[] = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'web.push.apple.com', '.notify.windows.com'];

// The endpoint as a URL, or why it is refused.
export function judgeEndpoint(raw: unknown, testOrigin: string | null): URL | string {
  if (typeof raw !== 'string' || raw.length > MAX_ENDPOINT_CHARS) return 'the endpoint must be a URL of at most 1024 characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the endpoint is not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'the endpoint must not carry a user or password';
  if (testOrigin !== null && url.origin === testOrigin) return url;
  if (url.protocol !== 'https:') return 'the endpoint must be https';
  if (url.port !== '' && url.port !== '443') return 'the endpoint must use port 443';
  const host = url.hostname.toLowerCase();
  if (net.isIP(host.replace(/^\[|\]$/g, '')) !== 0) return 'the endpoint must name a push service, not an address';
  if (!PUSH_SERVICES.some((s) => (s.startsWith('.') ? host.endsWith(s) && host.length > s.length : host === s))) return `the endpoint is not a known browser push service (${PUSH_SERVICES.join(', ')})`;
  return url;
}

// A test-only origin must be http(s) on a loopback address, nothing wider.
export function checkTestOrigin(origin: string): string | null {
  try {
    const u = new URL(origin);
    return u.origin === origin && /^(127\.\d+\.\d+\.\d+|\[::1\])$/.test(u.hostname) ? null : 'the push test origin must be http://127.x.x.x:PORT or http://[::1]:PORT';
  } catch {
    return 'the push test origin is not a URL';
  }
}

const V4_BLOCKED: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const V6_BLOCKED: Array<[string, number]> = [
  ['::', 128], ['::1', 128], ['::', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];
const blockList = new net.BlockList();
for (const [a, p] of V4_BLOCKED) blockList.addSubnet(a, p, 'ipv4');
for (const [a, p] of V6_BLOCKED) blockList.addSubnet(a, p, 'ipv6');

// True for a public unicast address: not loopback, private, link-local, shared (CGNAT), multicast,
// documentation, reserved, or an IPv4-mapped/translated form of one of these.
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped !== null) return isPublicAddress(mapped[1] as string);
    return !blockList.check(address, 'ipv6');
  }
  return !blockList.check(address, 'ipv4');
}

export interface Resolved {
  address: string;
  family: 4 | 6;
}

// The address to connect to for `host`: every answer must be public (one private answer refuses
// them all: a name that mixes them is not a push service). Loopback for the test origin only.
export async function resolvePublic(host: string, allowLoopback: boolean): Promise<Resolved | string> {
  const bare = host.replace(/^\[|\]$/g, '');
  let answers: dns.LookupAddress[];
  try {
    answers = net.isIP(bare) !== 0 ? [{ address: bare, family: net.isIP(bare) }] : await dns.promises.lookup(bare, { all: true, verbatim: true });
  } catch (err) {
    return `cannot resolve the push service (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const loopback = (a: string): boolean => blockList.check(a, net.isIP(a) === 6 ? 'ipv6' : 'ipv4') && (a === '::1' || a.startsWith('127.'));
  const bad = answers.find((a) => !(isPublicAddress(a.address) || (allowLoopback && loopback(a.address))));
  if (answers.length === 0 || bad !== undefined) return 'the push service resolves to a non-public address: not sent';
  const first = answers[0] as dns.LookupAddress;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
