import { expect, it } from 'vitest';
import { decodeSendText } from '../../../../src/daemon/jobs/send-text';

it.each([
  ['plain', [0x70, 0x6c, 0x61, 0x69, 0x6e]],
  ['a\\n', [0x61, 0x0a]],
  ['\\r\\t\\e\\a\\b\\0', [0x0d, 0x09, 0x1b, 0x07, 0x08, 0x00]],
  ['\\\\n', [0x5c, 0x6e]],
  ['\\x03', [0x03]],
  ['\\xfF\\x00', [0xff, 0x00]],
  [':wq\\r', [0x3a, 0x77, 0x71, 0x0d]],
  ['é', [0xc3, 0xa9]],
])('decodes %j', (text, bytes) => {
  expect(decodeSendText(text)).toEqual({ ok: true, bytes: Buffer.from(bytes) });
});

it.each([
  ['a\\', /lone backslash/],
  ['\\q', /unknown escape "\\q"/],
  ['\\x4', /two hex digits/],
  ['\\xg1', /two hex digits/],
])('refuses %j', (text, re) => {
  const r = decodeSendText(text);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.message).toMatch(re);
});
