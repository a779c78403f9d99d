// A QR code encoder (ISO/IEC 18004), small and pure: byte mode, error correction level M,
// versions 1 to 10 (up to 213 bytes, far more than a sign-in link), the mask with the lowest
// penalty. Written here rather than taken from npm so that the laptop side adds no dependency for
// one screenful of blocks (`pty-relay web --qr`, cli/web.ts); the tests decode its codes with an
// independent decoder.

// Per version 1..10 (index 0 unused), level M: error correction codewords per block, and blocks.
const ECC_PER_BLOCK = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
const BLOCKS = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
const MAX_VERSION = 10;
const FORMAT_LEVEL_M = 0b00;

export type QrMatrix = boolean[][]; // [row][column], true: a dark module

// The QR code for `text` (UTF-8). Throws when it does not fit in version 10.
export function encodeQr(text: string): QrMatrix {
  const data = Buffer.from(text, 'utf8');
  let version = 1;
  while (version <= MAX_VERSION && dataCodewords(version) * 8 < 4 + countBits(version) + data.length * 8) version++;
  if (version > MAX_VERSION) throw new Error(`${data.length} bytes do not fit in a QR code of version ${MAX_VERSION}`);
  const codewords = interleave(version, dataStream(version, data));
  const qr = new Grid(version);
  qr.drawFunctionPatterns();
  qr.placeData(codewords);
  let best = -1;
  let bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    qr.applyMask(mask);
    qr.drawFormat(mask);
    const score = qr.penalty();
    if (score < bestScore) [best, bestScore] = [mask, score];
    qr.applyMask(mask); // XOR again: undone
  }
  qr.applyMask(best);
  qr.drawFormat(best);
  return qr.modules;
}

// Modules that carry codewords (all but function patterns, format and version bits), in bytes.
function rawCodewords(v: number): number {
  let bits = (16 * v + 128) * v + 64;
  if (v >= 2) {
    const align = Math.floor(v / 7) + 2;
    bits -= (25 * align - 10) * align - 55;
    if (v >= 7) bits -= 36;
  }
  return Math.floor(bits / 8);
}

function dataCodewords(v: number): number {
  return rawCodewords(v) - (ECC_PER_BLOCK[v] as number) * (BLOCKS[v] as number);
}

function countBits(v: number): number {
  return v < 10 ? 8 : 16;
}

// Mode (byte), length, the bytes, a terminator, then the pad bytes 0xEC 0x11 to fill the version.
function dataStream(v: number, data: Buffer): number[] {
  const bits: number[] = [];
  const put = (value: number, n: number): void => {
    for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(data.length, countBits(v));
  for (const b of data) put(b, 8);
  const capacity = dataCodewords(v) * 8;
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; out.length < dataCodewords(v); pad ^= 0xec ^ 0x11) out.push(pad);
  return out;
}

// Splits the data into blocks, adds each block's Reed-Solomon codewords, and interleaves them:
// data bytes column by column over the blocks (short blocks first), then the ECC bytes.
function interleave(v: number, data: number[]): number[] {
  const nBlocks = BLOCKS[v] as number;
  const ecc = ECC_PER_BLOCK[v] as number;
  const total = rawCodewords(v);
  const shortLen = Math.floor(total / nBlocks) - ecc; // data bytes of a short block
  const nShort = nBlocks - (total % nBlocks);
  const divisor = rsDivisor(ecc);
  const blocks: Array<{ data: number[]; ecc: number[] }> = [];
  for (let i = 0, at = 0; i < nBlocks; i++) {
    const len = shortLen + (i < nShort ? 0 : 1);
    const d = data.slice(at, at + len);
    at += len;
    blocks.push({ data: d, ecc: rsRemainder(d, divisor) });
  }
  const out: number[] = [];
  for (let i = 0; i <= shortLen; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i] as number);
  for (let i = 0; i < ecc; i++) for (const b of blocks) out.push(b.ecc[i] as number);
  return out;
}

// Multiplication in GF(256) with the QR code's polynomial x^8 + x^4 + x^3 + x^2 + 1.
function gfMul(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

// The generator polynomial (x - a^0)(x - a^1)…(x - a^(degree-1)), leading 1 left out.
function rsDivisor(degree: number): number[] {
  const poly = new Array<number>(degree).fill(0);
  poly[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      poly[j] = gfMul(poly[j] as number, root);
      if (j + 1 < degree) poly[j] = (poly[j] as number) ^ (poly[j + 1] as number);
    }
    root = gfMul(root, 2);
  }
  return poly;
}

function rsRemainder(data: number[], divisor: number[]): number[] {
  const rem = new Array<number>(divisor.length).fill(0);
  for (const b of data) {
    const factor = b ^ (rem.shift() as number);
    rem.push(0);
    for (let i = 0; i < divisor.length; i++) rem[i] = (rem[i] as number) ^ gfMul(divisor[i] as number, factor);
  }
  return rem;
}

// The module grid of one version while it is drawn.
class Grid {
  readonly size: number;
  readonly modules: QrMatrix;
  private readonly fixed: boolean[][]; // function patterns, format and version areas

  constructor(private readonly version: number) {
    this.size = version * 4 + 17;
    this.modules = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.fixed = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
  }

  private set(row: number, col: number, dark: boolean): void {
    (this.modules[row] as boolean[])[col] = dark;
    (this.fixed[row] as boolean[])[col] = true;
  }

  drawFunctionPatterns(): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    for (const [r, c] of [[3, 3], [3, n - 4], [n - 4, 3]] as const) this.finder(r, c);
    const pos = this.alignmentPositions();
    const last = pos.length - 1;
    for (let i = 0; i <= last; i++) {
      for (let j = 0; j <= last; j++) {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
        for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) this.set((pos[i] as number) + dr, (pos[j] as number) + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
      }
    }
    this.drawFormat(0); // reserves the format areas (drawn for real once the mask is chosen)
    this.drawVersion();
  }

  // A finder pattern centred at (row, col), with its light separator.
  private finder(row: number, col: number): void {
    for (let dr = -4; dr <= 4; dr++) {
      for (let dc = -4; dc <= 4; dc++) {
        const r = row + dr;
        const c = col + dc;
        if (r < 0 || c < 0 || r >= this.size || c >= this.size) continue;
        const d = Math.max(Math.abs(dr), Math.abs(dc));
        this.set(r, c, d !== 2 && d !== 4);
      }
    }
  }

  private alignmentPositions(): number[] {
    if (this.version === 1) return [];
    const count = Math.floor(this.version / 7) + 2;
    const step = Math.ceil((this.version * 4 + 4) / (count * 2 - 2)) * 2;
    const out = [6];
    for (let p = this.size - 7; out.length < count; p -= step) out.splice(1, 0, p);
    return out;
  }

  // The 15 format bits (level M, `mask`, BCH-protected, XORed with 0x5412), in both copies.
  drawFormat(mask: number): void {
    const data = (FORMAT_LEVEL_M << 3) | mask;
    let rem = data;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    const bits = ((data << 10) | rem) ^ 0x5412;
    const bit = (i: number): boolean => ((bits >>> i) & 1) === 1;
    const n = this.size;
    for (let i = 0; i <= 5; i++) this.set(i, 8, bit(i));
    this.set(7, 8, bit(6));
    this.set(8, 8, bit(7));
    this.set(8, 7, bit(8));
    for (let i = 9; i < 15; i++) this.set(8, 14 - i, bit(i));
    for (let i = 0; i < 8; i++) this.set(8, n - 1 - i, bit(i));
    for (let i = 8; i < 15; i++) this.set(n - 15 + i, 8, bit(i));
    this.set(n - 8, 8, true); // the dark module
  }

  // Versions 7 and up carry their number, BCH-protected, in two 6x3 blocks.
  private drawVersion(): void {
    if (this.version < 7) return;
    let rem = this.version;
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
    const bits = (this.version << 12) | rem;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = this.size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      this.set(b, a, dark);
      this.set(a, b, dark);
    }
  }

  // The codewords, most significant bit first, up and down two-column strips from the right.
  placeData(codewords: number[]): void {
    let i = 0;
    const n = this.size;
    for (let right = n - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((right + 1) & 2) === 0;
      for (let k = 0; k < n; k++) {
        const row = upward ? n - 1 - k : k;
        for (let j = 0; j < 2; j++) {
          const col = right - j;
          if ((this.fixed[row] as boolean[])[col] === true) continue;
          const byte = codewords[i >>> 3] ?? 0;
          (this.modules[row] as boolean[])[col] = i < codewords.length * 8 && ((byte >>> (7 - (i & 7))) & 1) === 1;
          i++;
        }
      }
    }
  }

  // Flips the data modules where mask `m`'s condition holds (applying it twice undoes it).
  applyMask(m: number): void {
    for (let r = 0; r < this.size; r++) {
      for (let c = 0; c < this.size; c++) {
        if ((this.fixed[r] as boolean[])[c] === true) continue;
        const flip = [
          (r + c) % 2 === 0,
          r % 2 === 0,
          c % 3 === 0,
          (r + c) % 3 === 0,
          (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
          ((r * c) % 2) + ((r * c) % 3) === 0,
          (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
          (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
        ][m];
        if (flip === true) (this.modules[r] as boolean[])[c] = !(this.modules[r] as boolean[])[c];
      }
    }
  }

  // The standard's penalty: runs of 5+ alike, 2x2 blocks, finder-like 1:1:3:1:1 runs, imbalance.
  penalty(): number {
    const n = this.size;
    const at = (r: number, c: number): boolean => (this.modules[r] as boolean[])[c] === true;
    let score = 0;
    let dark = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < n; i++) {
        const line = Array.from({ length: n }, (_, j) => (pass === 0 ? at(i, j) : at(j, i)));
        let run = 1;
        for (let j = 1; j <= n; j++) {
          if (j < n && line[j] === line[j - 1]) run++;
          else {
            if (run >= 5) score += run - 2;
            run = 1;
          }
        }
        const s = line.map((d) => (d ? '1' : '0')).join('');
        for (let k = s.indexOf('1011101'); k !== -1; k = s.indexOf('1011101', k + 1)) {
          if (s.slice(Math.max(0, k - 4), k) === '0000'.slice(0, Math.min(4, k)) || s.slice(k + 7, k + 11) === '0000'.slice(0, Math.min(4, n - k - 7))) score += 40;
        }
      }
    }
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (at(r, c)) dark++;
        if (r + 1 < n && c + 1 < n && at(r, c) === at(r + 1, c) && at(r, c) === at(r, c + 1) && at(r, c) === at(r + 1, c + 1)) score += 3;
      }
    }
    const k = Math.ceil(Math.abs(dark * 20 - n * n * 10) / (n * n)) - 1;
    return score + Math.max(0, k) * 10;
  }
}
