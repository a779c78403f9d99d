import { describe, expect, it } from 'vitest';
import { BellScanner } from '../../../../src/daemon/events/bell';

const rings = (...chunks: string[]): boolean[] => {
  const s = new BellScanner();
  return chunks.map((c) => s.scan(Buffer.from(c, 'latin1')));
};

describe('BellScanner', () => {
  it.each([
    ['a bare BEL', ['x\x07y'], [true]],
    ['plain text and colours', ['\x1b[31mred\x1b[0m plain'], [false]],
    ['a title ended by BEL', ['\x1b]0;user@host: ~\x07$ '], [false]],
    ['a mark ended by BEL, then a real bell', ['\x1b]133;A;prn=abc\x07\x07'], [true]],
    ['an OSC ended by ESC \\, then BEL', ['\x1b]8;;http://x\x1b\\\x07'], [true]],
    ['a DCS string with BEL inside', ['\x1bPq#0\x07'], [false]],
    ['an OSC split across chunks', ['\x1b]0;ti', 'tle\x07 ok'], [false, false]],
    ['ESC split from its ]', ['abc\x1b', ']0;t\x07'], [false, false]],
    ['a bell after a split title', ['\x1b]2;t', '\x07', 'ding\x07'], [false, false, true]],
    ['CSI then BEL', ['\x1b[2K\x07'], [true]],
    ['colours, then a title split across chunks', ['\x1b[1mbold\x1b[0m\x1b]0;ti', 'tle\x07', 'x\x07'], [false, false, true]],
    ['a string ended by ESC \\ in a chunk without BEL', ['\x1b]8;;u\x1b\\', '\x07'], [false, true]],
  ])('%s', (_name, chunks, want) => {
    expect(rings(...chunks)).toEqual(want);
  });
});
