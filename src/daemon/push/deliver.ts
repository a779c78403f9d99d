// One push message, POSTed to its endpoint (RFC 8030 §5) at an address endpoint.ts checked: the
// connection goes to that address (a pinned lookup), TLS still verifies the service's name.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Resolved } from './endpoint';

// A push service answers in well under a second; a stuck one must not hold a sending slot long.
export const DELIVER_TIMEOUT_MS = 10_000;
// How long the service keeps a message for an offline phone: "needs you" is stale after a day.
const TTL_S = 24 * 3600;

export type Delivery = { status: number } | { error: string };

// POSTs `body` (already encrypted) to `url` through `at`.
export function deliver(url: URL, at: Resolved, body: Buffer, authorization: string): Promise<Delivery> {
  return new Promise((resolve) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: DELIVER_TIMEOUT_MS,
        lookup: pinned(at),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Encoding': 'aes128gcm', 'Content-Length': String(body.length), TTL: String(TTL_S), Urgency: 'high', Authorization: authorization },
      },
      (res) => {
        res.resume(); // the answer's body is not ours to read
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(body);
  });
}

// A lookup that answers `at` whatever it is asked (in both of the shapes net.connect asks for).
function pinned(at: Resolved): NonNullable<http.RequestOptions['lookup']> {
  return ((_host: string, opts: { all?: boolean }, cb: (err: null, a: unknown, f?: number) => void) => {
    if (opts.all === true) cb(null, [{ address: at.address, family: at.family }]);
    else cb(null, at.address, at.family);
  }) as unknown as NonNullable<http.RequestOptions['lookup']>;
}
