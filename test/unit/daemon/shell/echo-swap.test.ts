// The echo swap: a typed line's echo becomes the job's text, held bytes are let go at a mark, and
// nothing the prompt drew is lost.
import { describe, expect, it } from 'vitest';
import { EchoSwap, renderJobLine, swapEcho } from '../../../../src/daemon/shell/echo-swap';

const typed = Buffer.from(' __pr_rn');
const C = '\x1b]133;C;prn=abc\x07';
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('swapEcho', () => {
  it.each([
    ['plain', '\x1b[?2004h$ \x07 __pr_rn\r\n\x1b[?2004l\r', '\x1b[?2004h$ X\r\n\x1b[?2004l\r'],
    ['redrawn at the margin', '$ \x07 __pr_rn \r\x1b[A\x1b[C\x1b[C\x1b[Kn\r\n\x1b[?2004l\r', '$ X\r\n\x1b[?2004l\r'],
    ['a half-typed line erased first', '$ ab\x1b[K\r\n\r\x1b[K\x1b[A\x1b[C\x1b[C __pr_rn\r\n', '$ ab\x1b[K\r\n\r\x1b[K\x1b[A\x1b[C\x1b[CX\r\n'],
    ['a title the prompt set keeps its BEL', '\x1b]0;t\x07$ \x1b]0;t\x07 __pr_rn\r\n', '\x1b]0;t\x07$ \x1b]0;t\x07X\r\n'],
    ['no echo at all', '$ ', '$ '],
  ])('%s', (_name, region, want) => {
    expect(swapEcho(b(region), typed, 'X').toString('latin1')).toBe(want);
  });
});

describe('EchoSwap', () => {
  it('holds from the typed line to the C mark, in any chunks, and passes everything after it', () => {
    const e = new EchoSwap(() => undefined);
    expect(e.filter(b('$ ')).toString()).toBe('$ ');
    e.arm('\x05\x15 __pr_rn\r', () => 'X');
    const whole = `\x07 __pr_rn\r\n${C}out\r\n`;
    for (const ch of whole) expect(e.filter(b(ch)).length).toBe(0);
    expect(e.release('abc').toString('latin1')).toBe(`X\r\n${C}out\r\n`);
    expect(e.armed).toBe(false);
    expect(e.filter(b('more')).toString()).toBe('more');
  });

  it('lets go of a large hold by itself', () => {
    const e = new EchoSwap(() => undefined);
    e.arm('\x05\x15 __pr_rn\r', () => 'X');
    expect(e.filter(Buffer.alloc(70_000, 0x61)).length).toBe(70_000);
    expect(e.armed).toBe(false);
  });
});

describe('renderJobLine', () => {
  it('marks the line, bounds long scripts and shows control characters as text', () => {
    const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');
    expect(strip(renderJobLine('echo hi\n'))).toBe('[agent] echo hi');
    expect(strip(renderJobLine('a\nb\nc\nd\ne'))).toBe('[agent] a\r\n      > b\r\n      > c\r\n        … 2 more lines');
    expect(strip(renderJobLine('x\x1b[2J\ty\u202e'))).toBe('[agent] x^[[2J y\\u202e');
    expect(strip(renderJobLine('z'.repeat(500))).length).toBe('[agent] '.length + 160);
  });
});
