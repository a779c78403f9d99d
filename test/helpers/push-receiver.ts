// A stand-in push service on 127.0.0.1 for the Web Push tests, and the browser's half of RFC 8291
// (written here independently of src/daemon/push/ece.ts): it records each POST, checks its VAPID
// signature (RFC 8292) against the daemon's public key and decrypts the body with the
// subscription's private key. `status(path)` decides the answer (201; 410 for a gone browser).
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

// Reads an aes128gcm message (one record) as the browser holding `uaPrivate` and `auth` does.
export function decryptAsBrowser(message: Buffer, uaPrivate: Buffer, auth: Buffer): Buffer {
  const salt = message.subarray(0, 16);
  const idLen = message[20] as number;
  const asPublic = message.subarray(21, 21 + idLen);
  const sealed = message.subarray(21 + idLen);
  const ua = crypto.createECDH('prime256v1');
  ua.setPrivateKey(uaPrivate);
  const secret = ua.computeSecret(asPublic);
  const hmac = (key: Buffer, ...parts: Buffer[]): Buffer => crypto.createHmac('sha256', key).update(Buffer.concat(parts)).digest();
  const prkKey = hmac(auth, secret);
  const ikm = hmac(prkKey, Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic, Buffer.from([1]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0'), Buffer.from([1])).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0'), Buffer.from([1])).subarray(0, 12);
  const d = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const plain = Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  if (plain[plain.length - 1] !== 2) throw new Error('not the last record (no 0x02 delimiter)');
  return plain.subarray(0, plain.length - 1);
}

// A browser's subscription keys (what PushManager.subscribe makes).
export function browserKeys(): { ecdh: crypto.ECDH; auth: Buffer; json: { p256dh: string; auth: string } } {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = crypto.randomBytes(16);
  return { ecdh, auth, json: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface PushReceiver {
  origin: string; // http://127.0.0.1:PORT
  received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(status: (path: string) => number = () => 201): Promise<PushReceiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status(req.url ?? '')).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

// The claims of a `vapid t=JWT, k=KEY` header after checking its ES256 signature with `publicKey`
// (base64url point) and that `k` is that key; throws when either is wrong.
export function verifyVapid(authorization: string | undefined, publicKey: string): Record<string, unknown> {
  const m = /^vapid t=([\w-]+)\.([\w-]+)\.([\w-]+), k=([\w-]+)$/.exec(authorization ?? '');
  if (m === null) throw new Error(`not a VAPID Authorization header: ${authorization}`);
  const [, h, c, sig, k] = m as unknown as [string, string, string, string, string];
  if (k !== publicKey) throw new Error('k= is not the daemon key');
  const point = Buffer.from(publicKey, 'base64url');
  const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
  if (!crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))) throw new Error('bad VAPID signature');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  if (header.alg !== 'ES256') throw new Error('not ES256');
  return JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
}
