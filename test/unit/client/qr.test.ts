// The QR encoder, checked by an independent decoder (jsQR): every length up to version 10, and
// the terminal text read back into modules.
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { encodeQr, type QrMatrix } from '../../../src/client/qr';
import { qrToText } from '../../../src/client/qr-text';

// Renders modules as an RGBA image (4 px a module, 4 modules of quiet zone) and decodes it.
function decodeMatrix(m: QrMatrix): string | null {
  const scale = 4;
  const q = 4;
  const n = m.length;
  const w = (n + 2 * q) * scale;
  const px = new Uint8ClampedArray(w * w * 4).fill(255);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (m[r]?.[c] !== true) continue;
      for (let y = 0; y < scale; y++) {
        for (let x = 0; x < scale; x++) {
          const i = (((r + q) * scale + y) * w + (c + q) * scale + x) * 4;
          px[i] = px[i + 1] = px[i + 2] = 0;
        }
      }
    }
  }
  return jsQR(px, w, w)?.data ?? null;
}

// The modules the half-block text shows (the inverse of qrToText, quiet zone removed).
function textToMatrix(text: string, quiet = 4): QrMatrix {
  const lines = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.length > 0);
  const rows: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line];
    rows.push(chars.map((ch) => ch === '█' || ch === '▀'));
    rows.push(chars.map((ch) => ch === '█' || ch === '▄'));
  }
  const n = [...(lines[0] ?? '')].length - 2 * quiet;
  return rows.slice(quiet, quiet + n).map((r) => r.slice(quiet, quiet + n));
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~';

describe('encodeQr', () => {
  it('makes codes a decoder reads back, for every length up to 213 bytes (versions 1 to 10)', () => {
    const seen = new Set<number>();
    for (let len = 1; len <= 213; len += len < 40 ? 1 : 7) {
      let text = '';
      for (let i = 0; i < len; i++) text += ALPHABET[(i * 7 + len) % ALPHABET.length];
      const m = encodeQr(text);
      seen.add(m.length);
      expect(decodeMatrix(m), `length ${len}`).toBe(text);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([21, 25, 29, 33, 37, 41, 45, 49, 53, 57]);
  });

  it('refuses text past version 10', () => {
    expect(() => encodeQr('x'.repeat(214))).toThrow(/do not fit/);
  });

  it('prints half blocks that read back as the same code', () => {
    const url = 'http://localhost:9998/#c=1767225600.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    const text = qrToText(encodeQr(url));
    expect(textToMatrix(text)).toEqual(encodeQr(url));
    expect(decodeMatrix(textToMatrix(text))).toBe(url);
  });
});
