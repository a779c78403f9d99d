// Web Push message encryption (RFC 8291) in the aes128gcm content coding (RFC 8188), one record.
// Pure: Node's own crypto (ECDH P-256, HKDF-SHA256, AES-128-GCM); the caller may pass the
// ephemeral key and the salt (the RFC's test vector does), else both are fresh and random.
//
//   body = salt(16) | rs(4, big-endian, 4096) | idlen(1) = 65 | as_public(65) | AES-GCM(plaintext | 0x02) | tag(16)
//
//   ecdh_secret = ECDH(as_private, ua_public)
//   IKM   = HKDF(salt = auth_secret, ikm = ecdh_secret, info = "WebPush: info\0" | ua_public | as_public, 32)
//   CEK   = HKDF(salt = salt, ikm = IKM, info = "Content-Encoding: aes128gcm\0", 16)
//   NONCE = HKDF(salt = salt, ikm = IKM, info = "Content-Encoding: nonce\0", 12)
import * as crypto from 'node:crypto';

// RFC 8188's record size: one record, so anything up to 4096 - 17 bytes of plaintext fits; push
// services accept 4096 bytes of payload (RFC 8030 §7.2), and our messages are a few hundred.
const RECORD_BYTES = 4096;
export const MAX_PLAINTEXT_BYTES = RECORD_BYTES - 17 - 86;
const POINT_BYTES = 65;

export interface PushKeys {
  p256dh: Buffer; // the browser's public key (uncompressed P-256 point)
  auth: Buffer; // the browser's 16-byte authentication secret
}

export interface EncryptOptions {
  asPrivate?: Buffer; // the ephemeral private key (a test vector's); random by default
  salt?: Buffer; // 16 bytes; random by default
}

const hkdf = (ikm: Buffer, salt: Buffer, info: Buffer, len: number): Buffer => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, len));

// The encrypted body of one push message for the browser holding `keys`.
export function encryptPush(plaintext: Buffer, keys: PushKeys, opts: EncryptOptions = {}): Buffer {
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new RangeError(`a push message holds at most ${MAX_PLAINTEXT_BYTES} bytes`);
  if (keys.p256dh.length !== POINT_BYTES || keys.p256dh[0] !== 4) throw new RangeError('p256dh is not an uncompressed P-256 point');
  if (keys.auth.length !== 16) throw new RangeError('auth is not 16 bytes');
  const ecdh = crypto.createECDH('prime256v1');
  if (opts.asPrivate === undefined) ecdh.generateKeys();
  else ecdh.setPrivateKey(opts.asPrivate);
  const asPublic = ecdh.getPublicKey();
  const secret = ecdh.computeSecret(keys.p256dh); // throws for a point off the curve
  const salt = opts.salt ?? crypto.randomBytes(16);
  const ikm = hkdf(secret, keys.auth, Buffer.concat([Buffer.from('WebPush: info\0'), keys.p256dh, asPublic]), 32);
  const cek = hkdf(ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12);
  const cipher = crypto.createCipheriv('aes-128-gcm', cek, nonce);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.update(Buffer.from([2])), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.alloc(21);
  salt.copy(header, 0);
  header.writeUInt32BE(RECORD_BYTES, 16);
  header[20] = POINT_BYTES;
  return Buffer.concat([header, asPublic, sealed]);
}
