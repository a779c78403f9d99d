// The exec reply cleaner for output that came with the terminal's output processing off (an exec
// job's usual case, shell/newlines.ts): the line endings are the program's own and stay exact.
import { describe, expect, it } from 'vitest';
import { OutputCleaner } from '../../../../src/daemon/clean/clean';

function clean(pieces: Buffer[]): string {
  const c = new OutputCleaner();
  c.unprocessed();
  const out = pieces.map((p) => c.push(p));
  out.push(c.flush());
  return Buffer.concat(out).toString('latin1');
}

// [what, PTY stream (latin1), expected text (latin1)]
const CASES: Array<[string, string, string]> = [
  ['plain lines', 'one\ntwo\n', 'one\ntwo\n'],
  ['a CRLF file', 'a\r\nb\r\n', 'a\r\nb\r\n'],
  ['mixed endings and an empty CRLF line', 'unix\ndos\r\n\r\nend', 'unix\ndos\r\n\r\nend'],
  ['a progress bar redrawn with "\\r"', 'get 10%\rget 50%\rget 100%\ndone\n', 'get 100%\ndone\n'],
  ['colours and a tab', '\x1b[31mred\x1b[0m\tx\n', 'red\tx\n'],
  ['a last line without a newline', 'a\nb', 'a\nb'],
  ['a trailing "\\r"', 'a\nb\r', 'a\nb\r'],
  ['seq', Array.from({ length: 300 }, (_, i) => `${i + 1}\n`).join(''), Array.from({ length: 300 }, (_, i) => `${i + 1}\n`).join('')],
];

describe('OutputCleaner, unprocessed output', () => {
  it.each(CASES)('%s, whole, split at every byte and byte by byte', (_, input, expected) => {
    const whole = Buffer.from(input, 'latin1');
    expect(clean([whole])).toBe(expected);
    for (let i = 0; i <= whole.length; i++) {
      expect({ at: i, out: clean([whole.subarray(0, i), whole.subarray(i)]) }).toEqual({ at: i, out: expected });
    }
    expect(clean([...whole].map((b) => Buffer.of(b)))).toBe(expected);
  });

  it('differs from processed output exactly in what "\\r\\n" means', () => {
    const processed = new OutputCleaner();
    const input = Buffer.from('a\r\nb\n');
    expect(Buffer.concat([processed.push(input), processed.flush()]).toString()).toBe('a\nb\n');
    expect(clean([input])).toBe('a\r\nb\n');
  });
});
