// The exec reply cleaner: a table of PTY streams and the text a person would read, each case
// also fed split at every byte and byte by byte.
import { describe, expect, it } from 'vitest';
import { OutputCleaner } from '../../../../src/daemon/clean/clean';

// Feeds the pieces, then flushes; returns everything the cleaner sent, as latin1.
function clean(pieces: Buffer[]): string {
  const c = new OutputCleaner();
  const out = pieces.map((p) => c.push(p));
  out.push(c.flush());
  return Buffer.concat(out).toString('latin1');
}

const u = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const frames = Array.from({ length: 50 }, (_, i) => `\rprogress ${2 * (i + 1)}%`).join('');

// [what, PTY stream (latin1), expected text (latin1)]
const CASES: Array<[string, string, string]> = [
  ['plain lines', 'a\r\nb\r\n', 'a\nb\n'],
  ['a CRLF file', 'a\r\r\nb\r\r\n', 'a\r\nb\r\n'],
  ['mixed endings', 'unix\r\ndos\r\r\n\r\n', 'unix\ndos\r\n\n'],
  ['"\\r\\r\\n" from the program', 'x\r\r\r\n', 'x\r\n'],
  ['no final newline', 'a\r\ntail', 'a\ntail'],
  ['a trailing CR', 'end\r', 'end\r'],
  ['a bare LF (output processing off)', 'a\nb\n', 'a\nb\n'],
  ['a 50-frame progress bar', `${frames}\r\n`, 'progress 100%\n'],
  ['a shorter redraw keeps the tail, as a terminal does', 'progress 100%\rdone\r\n', 'doneress 100%\n'],
  ['CR and erase line', 'downloading 10%\r\x1b[Kdone\r\n', 'done\n'],
  ['cursor left and erase', 'abc\x1b[2D\x1b[KZ\r\n', 'aZ\n'],
  ['column and erase', 'abc\x1b[1G\x1b[2Kxy\r\n', 'xy\n'],
  ['git clearing its editor hint', 'hint: Waiting for your editor...\r\x1b[Kerror: x\r\n', 'error: x\n'],
  ['colours', 'x\x1b[31mred\x1b[0m\x1b[38;5;208mo\x1b[38:2:1:2:3mk\x1b[m\r\n', 'xredok\n'],
  ['grep --color', 'f\x1b[01;31m\x1b[Ko\x1b[m\x1b[K\x1b[01;31m\x1b[Ko\x1b[m\x1b[K\r\n', 'foo\n'],
  ['ls --color', '\x1b[0m\x1b[01;34mdir\x1b[0m  file\r\n', 'dir  file\n'],
  ['OSC title and hyperlink', '\x1b]0;title\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\r\n', 'link\n'],
  ['DCS, APC, PM and SOS strings', '\x1bPq#0;1\x1b\\a\x1b_apc\x1b\\b\x1b^pm\x07c\x1bXsos\x1b\\d\r\n', 'abcd\n'],
  ['BEL and NUL', 'a\x07b\x00c\r\n', 'abc\n'],
  ['modes, charsets and odd CSIs', '\x1b[?25la\x1b[?2004h\x1b(0q\x1b(B\x1b[!p\x1b[4 qb\x1b=\r\n', 'aqb\n'],
  ['tabs and unicode', u('a\tb\r\nüñí 中文 🎉\r\n'), u('a\tb\nüñí 中文 🎉\n')],
  ['invalid UTF-8', 'x\xff\xfe\xc3(\r\n\xa9', 'x\xff\xfe\xc3(\n\xa9'],
  ['a redraw over unicode', u('ü50%\rü99%\r\n'), u('ü99%\n')],
  ['VT, FF and other controls as in a file', 'a\x0cb\x0bc\x01d\x7f\r\n', 'a\x0cb\x0bc\x01d\x7f\n'],
  ['backspace overstrike (man)', 'b\bbo\bol\bld\bd _\bu\r\n', 'bold u\n'],
  ['cursor right pads', 'a\x1b[3Cb\r\n', 'a   b\n'],
  ['delete, insert and erase characters', 'abcdef\x1b[4G\x1b[2P\r\nabc\x1b[2G\x1b[2@\r\nabcdef\x1b[2G\x1b[3X\r\n', 'abcf\na  bc\na   ef\n'],
  ['erase to start', 'abcdef\x1b[3G\x1b[1K\r\n', '   def\n'],
  ['a multi-line redraw', 'l1\r\nl2\r\n\x1b[2A\x1b[2KL1\r\n\x1b[2KL2\r\n\x1b[2A\x1b[2KM1\r\n\x1b[2KM2\r\nafter\r\n', 'l1\nl2\nM1\nM2\nafter\n'],
  ['moving up without redrawing sends nothing twice', 'a\r\nb\r\n\x1b[2A\x1b[2Bc\r\n', 'a\nb\nc\n'],
  ['erase below after moving up', 'a\r\nb\r\nc\r\n\x1b[2A\x1b[JB\r\n', 'a\nb\nc\nB\n'],
  ['the alternate screen is dropped', 'before\r\n\x1b[?1049h\x1b[H\x1b[2Jfull screen\x1b[?1049lafter\r\n', 'before\nafter\n'],
  ['a status line drawn elsewhere', 'line1\x1b7\x1b[50;1H\x1b[KProgress: [ 40%]\x1b8\r\nline2\r\n', 'line1\nline2\n'],
  ['clear screen', 'old\r\n\x1b[H\x1b[2J\x1b[3Jnew\r\n', 'old\nnew\n'],
  ['full reset', 'old\r\nx\x1bcnew\r\n', 'old\nnew\n'],
  ['an unfinished sequence at the end', 'a\x1b[3', 'a'],
  ['CAN aborts a sequence', 'a\x1b[3\x18b\r\n', 'ab\n'],
  ['CR, colour, CR, LF', 'ab\r\x1b[0m\r\n', 'ab\r\n'],
];

describe('OutputCleaner', () => {
  it.each(CASES)('%s', (_, input, expected) => {
    expect(clean([Buffer.from(input, 'latin1')])).toBe(expected);
  });

  it.each(CASES)('gives the same for %s split at every byte', (_, input, expected) => {
    const whole = Buffer.from(input, 'latin1');
    for (let i = 0; i <= whole.length; i++) {
      expect({ at: i, out: clean([whole.subarray(0, i), whole.subarray(i)]) }).toEqual({ at: i, out: expected });
    }
    expect(clean([...whole].map((b) => Buffer.of(b)))).toBe(expected);
  });

  it('sends a line as soon as it ends, and holds a partial one until flush', () => {
    const c = new OutputCleaner();
    expect(c.push(Buffer.from('one\r\ntw')).toString()).toBe('one\n');
    expect(c.push(Buffer.from('o\r')).toString()).toBe('');
    expect(c.push(Buffer.from('\nthr')).toString()).toBe('two\n');
    expect(c.flush().toString()).toBe('thr');
  });

  it('keeps a full-screen program hidden, and a split sequence whole, across a reply that ends mid-job', () => {
    const c = new OutputCleaner();
    expect(c.push(Buffer.from('$ vim\r\n\x1b[?1049h\x1b[Hfile text\x1b[25;1')).toString()).toBe('$ vim\n');
    expect(c.release().toString()).toBe('');
    // vim redraws its ruler after the next keystroke: still on the alternate screen, so dropped.
    expect(c.push(Buffer.from('H\x1b[50;180H25,1    All')).toString()).toBe('');
    expect(c.release().toString()).toBe('');
    expect(c.push(Buffer.from('\x1b[?1049lwritten\r\n')).toString()).toBe('written\n');
  });

  it('bounds a huge line without a newline: sent in pieces, byte for byte', () => {
    const c = new OutputCleaner();
    const line = Buffer.from('x'.repeat(1_000_000));
    let sent = 0;
    for (let i = 0; i < line.length; i += 4096) sent += c.push(line.subarray(i, i + 4096)).length;
    expect(sent).toBeGreaterThan(line.length - 70_000);
    expect(sent + c.flush().length).toBe(line.length);
  });

  it('redraws of a line already sent in pieces follow a "\\r"', () => {
    const long = 'y'.repeat(70_000);
    expect(clean([Buffer.from(`${long}\rdone\r\n`)])).toBe(`${long}\rdone\n`);
  });

  it('bounds a bogus cursor move', () => {
    expect(clean([Buffer.from('a\x1b[65535Cb\r\n')]).length).toBeLessThan(5000);
  });

  it('never throws on random bytes, and drops at most what it was given', () => {
    let seed = 11;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ['\x1b', '[', ']', '\r', '\n', '\b', '\x07', 'a', 'ü', ';', '1', '2', '?', 'A', 'B', 'C', 'D', 'J', 'K', 'H', 'm', '7', '8', '\\', '\x00', '\t', 'h', 'l', '1049'];
    for (let n = 0; n < 2000; n++) {
      const s = Array.from({ length: Math.floor(rand() * 60) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const whole = Buffer.from(s);
      const cut = Math.floor(rand() * whole.length);
      const out = clean([whole.subarray(0, cut), whole.subarray(cut)]);
      expect(out).toBe(clean([whole]));
    }
  });
});
