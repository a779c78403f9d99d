// Web Push encryption against RFC 8291's worked example (Section 5, values in Appendix A): the same
// keys, salt and secret must give the RFC's header and ciphertext byte for byte. And the receiving
// half, written here as a browser does it, must read what encryptPush makes with fresh keys.
import * as crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptPush, MAX_PLAINTEXT_BYTES } from '../../../../src/daemon/push/ece';
import { decryptAsBrowser } from '../../../helpers/push-receiver';

const b = (s: string): Buffer => Buffer.from(s, 'base64url');
// RFC 8291, Appendix A (whitespace of the RFC's line breaks removed).
const RFC = {
  plaintext: 'V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24',
  asPublic: 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  header: 'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  ciphertext: '8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ',
};

describe('RFC 8291 message encryption', () => {
  it('reproduces the RFC 8291 example byte for byte', () => {
    expect(b(RFC.plaintext).toString()).toBe('When I grow up, I want to be a watermelon');
    const body = encryptPush(b(RFC.plaintext), { p256dh: b(RFC.uaPublic), auth: b(RFC.auth) }, { asPrivate: b(RFC.asPrivate), salt: b(RFC.salt) });
    expect(body.subarray(0, 86).toString('base64url')).toBe(RFC.header);
    expect(body.subarray(86).toString('base64url')).toBe(RFC.ciphertext);
    expect(body.subarray(21, 86).toString('base64url')).toBe(RFC.asPublic);
  });

  it("the browser's half reads the RFC's message (the receiver used by the delivery tests is right too)", () => {
    const message = Buffer.concat([b(RFC.header), b(RFC.ciphertext)]);
    expect(decryptAsBrowser(message, b(RFC.uaPrivate), b(RFC.auth)).toString()).toBe('When I grow up, I want to be a watermelon');
  });

  it('fresh keys and salt every message, readable only with the right secret', () => {
    const ua = crypto.createECDH('prime256v1');
    ua.generateKeys();
    const auth = crypto.randomBytes(16);
    const text = Buffer.from(JSON.stringify({ title: 'x', body: 'y'.repeat(300) }));
    const one = encryptPush(text, { p256dh: ua.getPublicKey(), auth });
    const two = encryptPush(text, { p256dh: ua.getPublicKey(), auth });
    expect(one.subarray(0, 16).equals(two.subarray(0, 16))).toBe(false); // salt
    expect(one.subarray(21, 86).equals(two.subarray(21, 86))).toBe(false); // ephemeral key
    expect(decryptAsBrowser(one, ua.getPrivateKey(), auth).equals(text)).toBe(true);
    expect(() => decryptAsBrowser(one, ua.getPrivateKey(), crypto.randomBytes(16))).toThrow();
  });

  it('refuses bad keys and oversized messages', () => {
    const auth = crypto.randomBytes(16);
    expect(() => encryptPush(Buffer.from('x'), { p256dh: Buffer.alloc(65, 4), auth })).toThrow(); // off the curve
    expect(() => encryptPush(Buffer.from('x'), { p256dh: b(RFC.uaPublic), auth: Buffer.alloc(8) })).toThrow(/auth/);
    expect(() => encryptPush(Buffer.alloc(MAX_PLAINTEXT_BYTES + 1), { p256dh: b(RFC.uaPublic), auth })).toThrow(RangeError);
  });
});
