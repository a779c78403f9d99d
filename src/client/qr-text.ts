// A QR code (qr.ts) drawn in a terminal, for `pty-relay web --qr`.
import type { QrMatrix } from './qr';

// The code as terminal text: two module rows per line in half blocks, dark on light with a quiet
// zone of 4 modules, colours set explicitly (a dark terminal's default would invert the code).
export function qrToText(m: QrMatrix, quiet = 4): string {
  const n = m.length;
  const dark = (r: number, c: number): boolean => r >= 0 && c >= 0 && r < n && c < n && (m[r] as boolean[])[c] === true;
  const lines: string[] = [];
  for (let r = -quiet; r < n + quiet; r += 2) {
    let line = '\x1b[30;107m';
    for (let c = -quiet; c < n + quiet; c++) {
      const top = dark(r, c);
      const bottom = r + 1 < n + quiet && dark(r + 1, c);
      line += top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' ';
    }
    lines.push(`${line}\x1b[0m`);
  }
  return `${lines.join('\n')}\n`;
}
