// The daemon's VAPID identity (RFC 8292): one P-256 key pair per user, made on first use and kept
// as a JWK in `web-push-vapid.json` (mode 0600) beside the web token, so every browser's
// subscription (bound to this public key) outlives restarts and upgrades. Each push carries
// `Authorization: vapid t=JWT, k=PUBLIC`, the JWT signed with ES256 for the push service's origin.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RelayError, isErrno } from '../../errors';

export const VAPID_FILE = 'web-push-vapid.json';
// RFC 8292 §2: a JWT lives at most 24 hours; 12 leaves room for a skewed clock at the service.
const JWT_LIFETIME_S = 12 * 3600;

export interface Vapid {
  publicKey: string; // base64url of the uncompressed point: the page's applicationServerKey
  // The Authorization header for a push to `audience` (the push service's origin).
  authorization(audience: string, nowS?: number): string;
}

const b64url = (v: Buffer | string): string => Buffer.from(v).toString('base64url');

// The key pair in `dir`, read (or made) now. Throws PR_ERR_WEB_PUSH when the file is unsafe.
export function loadVapid(dir: string, contact: string): Vapid {
  const file = path.join(dir, VAPID_FILE);
  const jwk = readKey(file) ?? writeKey(file);
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const publicKey = b64url(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]));
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256' }));
  return {
    publicKey,
    authorization(audience, nowS = Math.floor(Date.now() / 1000)) {
      const claims = b64url(JSON.stringify({ aud: audience, exp: nowS + JWT_LIFETIME_S, sub: contact }));
      const signature = crypto.sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
      return `vapid t=${header}.${claims}.${b64url(signature)}, k=${publicKey}`;
    },
  };
}

function readKey(file: string): crypto.JsonWebKey | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw new RelayError('PR_ERR_WEB_PUSH', `cannot read ${file}`, { cause: err });
  }
  const uid = process.getuid?.();
  if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new RelayError('PR_ERR_WEB_PUSH', `${file} is not a private regular file of ours; remove it (a new key is made, and browsers subscribe again)`);
  }
  try {
    const jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as crypto.JsonWebKey;
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('not a P-256 private JWK');
    return jwk;
  } catch (err) {
    throw new RelayError('PR_ERR_WEB_PUSH', `${file} does not hold a P-256 key; remove it (a new key is made, and browsers subscribe again)`, { cause: err });
  }
}

// A new key pair, written atomically (0600 temporary file, renamed; a concurrent writer's file wins).
function writeKey(file: string): crypto.JsonWebKey {
  const jwk = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
    fs.linkSync(tmp, file); // fails if another daemon made one first: then theirs is read
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw new RelayError('PR_ERR_WEB_PUSH', `cannot write ${file}`, { cause: err });
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return readKey(file) as crypto.JsonWebKey;
}
