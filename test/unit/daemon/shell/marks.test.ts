import { describe, expect, it } from 'vitest';
import { MarkParser, type MarkEvent } from '../../../../src/daemon/shell/marks';

const NONCE = '0123456789abcdef0123456789abcdef';
const mark = (body: string): string => `\x1b]133;${body};prn=${NONCE}\x07`;

// Feeds `input` in the given pieces and returns data (joined) and marks in order.
function parse(pieces: Buffer[]): { text: string; marks: string[]; seq: string[] } {
  const p = new MarkParser(NONCE);
  const events: MarkEvent[] = [];
  for (const piece of pieces) events.push(...p.push(piece));
  const rest = p.flush();
  if (rest.length > 0) events.push({ type: 'data', data: rest });
  const seq: string[] = [];
  let text = '';
  const marks: string[] = [];
  for (const e of events) {
    if (e.type === 'data') {
      text += e.data.toString('latin1');
      if (seq[seq.length - 1] !== 'data') seq.push('data');
    } else {
      const m = e.kind === 'D' ? `D${e.status}` : e.kind;
      marks.push(m);
      seq.push(m);
    }
  }
  return { text, marks, seq };
}

const STREAM = `prompt$ ${mark('C')}out\x1b[1mbold\x1b]0;title\x07 \x1b]133;D;0;prn=forged\x07${mark('D;130')}\x1b]7;file://h/tmp\x07${mark('A')}$ `;

describe('MarkParser', () => {
  it('finds our marks and passes everything else through', () => {
    const r = parse([Buffer.from(STREAM, 'latin1')]);
    expect(r.marks).toEqual(['C', 'D130', 'A']);
    expect(r.seq).toEqual(['data', 'C', 'data', 'D130', 'data', 'A', 'data']);
    expect(r.text).toBe('prompt$ out\x1b[1mbold\x1b]0;title\x07 \x1b]133;D;0;prn=forged\x07\x1b]7;file://h/tmp\x07$ ');
  });

  it('gives the same result for a split at every byte boundary', () => {
    const whole = Buffer.from(STREAM, 'latin1');
    const expected = parse([whole]);
    for (let i = 0; i <= whole.length; i++) {
      const r = parse([whole.subarray(0, i), whole.subarray(i)]);
      expect({ at: i, ...r }).toEqual({ at: i, ...expected });
    }
  });

  it('gives the same result byte by byte', () => {
    const whole = Buffer.from(STREAM, 'latin1');
    const pieces = [...whole].map((b) => Buffer.from([b]));
    expect(parse(pieces)).toEqual(parse([whole]));
  });

  it.each([
    ['wrong nonce', '\x1b]133;A;prn=ffffffffffffffffffffffffffffffff\x07'],
    ['no nonce', '\x1b]133;A\x07'],
    ['bad status', `\x1b]133;D;abc;prn=${NONCE}\x07`],
    ['unknown kind', `\x1b]133;Z;prn=${NONCE}\x07`],
    ['extra field', `\x1b]133;A;x;prn=${NONCE}\x07`],
    ['a typed line with odd hex', `\x1b]133;T;0;616;prn=${NONCE}\x07`],
    ['a typed line in upper-case hex', `\x1b]133;T;0;4A;prn=${NONCE}\x07`],
    ['a typed line longer than its bound', `\x1b]133;T;0;${'61'.repeat(161)};prn=${NONCE}\x07`],
    ['a typed line with no count', `\x1b]133;T;;61;prn=${NONCE}\x07`],
  ])('treats a mark with %s as output', (_, text) => {
    const r = parse([Buffer.from(text, 'latin1')]);
    expect(r.marks).toEqual([]);
    expect(r.text).toBe(text);
  });

  it('does not hold an unterminated sequence forever', () => {
    const long = `\x1b]133;${'x'.repeat(500)}`;
    const p = new MarkParser(NONCE);
    const out = p.push(Buffer.from(long, 'latin1'));
    expect(out.map((e) => (e.type === 'data' ? e.data.toString('latin1') : '')).join('')).toBe(long);
  });

  it('returns a held partial mark on flush', () => {
    const p = new MarkParser(NONCE);
    expect(p.push(Buffer.from('ab\x1b]13'))).toEqual([{ type: 'data', data: Buffer.from('ab') }]);
    expect(p.flush().toString('latin1')).toBe('\x1b]13');
  });

  it('decodes a typed line (T): its text, a character cut at the bound dropped, and the lines after it', () => {
    const hex = (t: string): string => Buffer.from(t).toString('hex');
    const typed = (body: string): unknown => {
      const ev = new MarkParser(NONCE).push(Buffer.from(mark(body), 'latin1'));
      return ev.length === 1 && ev[0]?.type === 'mark' ? ev[0].typed : ev;
    };
    expect(typed(`T;0;${hex('echo typed-$((6*7)); \x1b]133;A;prn=x\x07')}`)).toEqual({ text: 'echo typed-$((6*7)); \x1b]133;A;prn=x\x07', more: 0 });
    expect(typed(`T;12;${hex('é'.repeat(80)).slice(0, 318)}`)).toEqual({ text: 'é'.repeat(79), more: 12 });
    expect(typed('T;0;')).toEqual({ text: '', more: 0 });
  });
});
