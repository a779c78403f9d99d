// What a screen mirror must not forget from output it skips. Text scrolls away, but a few control
// sequences set state that outlives it: terminal modes (alternate screen, cursor keys, mouse,
// bracketed paste, cursor visibility), the scroll region, the current colours, the character sets
// and the keypad mode. SkippedModes reads skipped bytes for those (a memchr-speed scan for ESC,
// nothing else) and replays their latest values, in order, before the text that follows.
// Pure: no I/O.

const ESC = 0x1b;
const BEL = 0x07;
const SO = 0x0e;
const SI = 0x0f;
// SGR sequences kept since the last reset; more is a pathological stream, and the oldest go.
const MAX_SGR = 32;
// A chunk that ends this close after an ESC may end inside its sequence: that part waits for the
// next chunk. (Real sequences are far shorter; a string's payload is not read anyway.)
const CARRY_BYTES = 256;

export class SkippedModes {
  private reset = false; // a full reset (ESC c) happened: replay it first
  private readonly modes = new Map<string, string>(); // key → latest sequence, oldest first
  private sgr: string[] = [];
  private shift = ''; // SO or SI, the last one seen
  private carry: Buffer | null = null; // the end of the last chunk, from an ESC on

  get empty(): boolean {
    return !this.reset && this.modes.size === 0 && this.sgr.length === 0 && this.shift === '' && this.carry === null;
  }

  // Reads a chunk of skipped output for state-setting sequences; a sequence may span chunks.
  absorb(chunk: Buffer): void {
    const buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = null;
    const esc = buf.lastIndexOf(ESC);
    if (esc !== -1 && buf.length - esc <= CARRY_BYTES) {
      this.carry = Buffer.from(buf.subarray(esc));
      this.scan(buf.subarray(0, esc));
    } else this.scan(buf);
  }

  // The skipped output ends here: reads what the last chunk held back.
  end(): void {
    if (this.carry !== null) this.scan(this.carry);
    this.carry = null;
  }

  private scan(buf: Buffer): void {
    const so = buf.lastIndexOf(SO);
    const si = buf.lastIndexOf(SI);
    if (so !== -1 || si !== -1) this.shift = so > si ? '\x0e' : '\x0f';
    for (let i = buf.indexOf(ESC); i !== -1 && i + 1 < buf.length; i = buf.indexOf(ESC, i)) i = this.sequence(buf, i);
  }

  // The sequences to replay, in order; then forgets them.
  take(): Buffer {
    this.end();
    const out = (this.reset ? '\x1bc' : '') + [...this.modes.values()].join('') + this.sgr.join('') + this.shift;
    this.reset = false;
    this.modes.clear();
    this.sgr = [];
    this.shift = '';
    return Buffer.from(out, 'latin1');
  }

  // Handles the sequence starting at buf[i] (ESC); returns where scanning goes on.
  private sequence(buf: Buffer, i: number): number {
    const kind = buf[i + 1] as number;
    if (kind === 0x5b) return this.csi(buf, i + 2); // ESC [
    // OSC, DCS, SOS, PM, APC: strings ended by BEL or ESC \ ; their payload is not scanned.
    if (kind === 0x5d || kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) return stringEnd(buf, i + 2);
    if (kind === 0x63) {
      this.reset = true; // ESC c: everything before it is void
      this.modes.clear();
      this.sgr = [];
      this.shift = '';
      return i + 2;
    }
    if (kind === 0x3d || kind === 0x3e) this.remember('keypad', String.fromCharCode(ESC, kind)); // ESC = / ESC >
    if (kind >= 0x28 && kind <= 0x2b && i + 2 < buf.length) {
      this.remember(`charset${kind}`, String.fromCharCode(ESC, kind, buf[i + 2] as number)); // ESC ( B …
      return i + 3;
    }
    return i + 2;
  }

  // ESC [ params intermediates final, starting after the "[".
  private csi(buf: Buffer, start: number): number {
    let j = start;
    while (j < buf.length && (buf[j] as number) >= 0x30 && (buf[j] as number) <= 0x3f) j++;
    const paramsEnd = j;
    while (j < buf.length && (buf[j] as number) >= 0x20 && (buf[j] as number) <= 0x2f) j++;
    if (j >= buf.length) return j;
    const final = buf[j] as number;
    if (final < 0x40 || final > 0x7e) return j; // not a CSI after all: rescan from here
    const params = buf.toString('latin1', start, paramsEnd);
    const inter = buf.toString('latin1', paramsEnd, j);
    const f = String.fromCharCode(final);
    if (inter === '' && (f === 'h' || f === 'l')) {
      // Modes, one key per mode: "?1049", "4", … Several in one sequence are split.
      const prefix = /^[?>]/.test(params) ? (params[0] as string) : '';
      for (const p of params.slice(prefix.length).split(';')) if (p !== '') this.remember(`${prefix}${p}`, `\x1b[${prefix}${p}${f}`);
    } else if (inter === '' && f === 'm' && !/^[?>]/.test(params)) {
      if (params === '' || params === '0') this.sgr = [];
      else {
        this.sgr.push(`\x1b[${params}m`);
        if (this.sgr.length > MAX_SGR) this.sgr.shift();
      }
    } else if (inter === '' && f === 'r' && !/^[?>]/.test(params)) {
      this.remember('margins', `\x1b[${params}r`);
    } else if (inter === ' ' && f === 'q') {
      this.remember('cursor-style', `\x1b[${params} q`);
    }
    return j + 1;
  }

  private remember(key: string, seq: string): void {
    this.modes.delete(key);
    this.modes.set(key, seq);
  }
}

// The index after an escape string's terminator (BEL or ESC \), or the end of the buffer.
function stringEnd(buf: Buffer, from: number): number {
  const bel = buf.indexOf(BEL, from);
  const esc = buf.indexOf(ESC, from);
  if (bel === -1 && esc === -1) return buf.length;
  if (esc === -1 || (bel !== -1 && bel < esc)) return bel + 1;
  return buf[esc + 1] === 0x5c ? esc + 2 : esc;
}
