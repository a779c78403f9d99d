import { expect, it } from 'vitest';
import { CrlfToLf } from '../../../../src/daemon/exec/crlf';

const INPUT = 'a\r\nb\r\r\nprogress 1\rprogress 2\r\n\r\nend\r';

function convert(pieces: string[]): string {
  const c = new CrlfToLf();
  return pieces.map((p) => c.push(Buffer.from(p, 'latin1')).toString('latin1')).join('') + c.flush().toString('latin1');
}

it('turns CRLF into LF and keeps lone CRs', () => {
  expect(convert([INPUT])).toBe('a\nb\r\nprogress 1\rprogress 2\n\nend\r');
});

it('gives the same result for a split at every byte boundary', () => {
  const expected = convert([INPUT]);
  for (let i = 0; i <= INPUT.length; i++) {
    for (let j = i; j <= INPUT.length; j++) {
      expect(convert([INPUT.slice(0, i), INPUT.slice(i, j), INPUT.slice(j)])).toBe(expected);
    }
  }
});
