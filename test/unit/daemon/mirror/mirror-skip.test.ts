import { describe, expect, it } from 'vitest';
import { SkippedModes } from '../../../../src/daemon/mirror/mirror-skip';

// Absorbs `chunks` (each one skipped part) and returns what would be replayed.
function replay(...chunks: string[]): string {
  const s = new SkippedModes();
  for (const c of chunks) s.absorb(Buffer.from(c, 'latin1'));
  return s.empty ? '' : s.take().toString('latin1');
}

describe('SkippedModes', () => {
  it.each([
    ['plain text', 'hello\r\nworld\r\n', ''],
    ['the alternate screen', 'a\x1b[?1049hb', '\x1b[?1049h'],
    ['only the latest value of a mode', '\x1b[?1049h..\x1b[?1049l..\x1b[?1049h', '\x1b[?1049h'],
    ['modes in the order last set', '\x1b[?1h\x1b[?2004h\x1b[?1l', '\x1b[?2004h\x1b[?1l'],
    ['several modes in one sequence, split', '\x1b[?1000;1006h', '\x1b[?1000h\x1b[?1006h'],
    ['ANSI modes (insert)', '\x1b[4h', '\x1b[4h'],
    ['colours since the last reset', '\x1b[1m\x1b[0mx\x1b[31mx\x1b[4m', '\x1b[31m\x1b[4m'],
    ['a bare reset of colours', '\x1b[31m\x1b[m', ''],
    ['the scroll region', '\x1b[1;20r\x1b[5;10r', '\x1b[5;10r'],
    ['the cursor style', '\x1b[2 q', '\x1b[2 q'],
    ['charsets and shift', '\x1b(0lqk\x0e\x0f\x1b(B', '\x1b(B\x0f'],
    ['the keypad mode', '\x1b=\x1b>', '\x1b>'],
    ['a full reset, replayed first', '\x1b[?1h\x1bc\x1b[?2004h', '\x1bc\x1b[?2004h'],
    ['cursor moves and erases: not state', '\x1b[H\x1b[2J\x1b[10;5H\x1b[K', ''],
    ['an OSC payload, not scanned', '\x1b]0;[?1049h title\x07\x1b]133;A\x1b\\', ''],
    // As in xterm, an ESC inside a string ends it and starts a sequence of its own.
    ['an ESC ending an OSC', '\x1b]0;title\x1b[?1049h', '\x1b[?1049h'],
    ['an OSC cut off at the end', 'x\x1b]2;never ends', ''],
    ['a sequence cut off at the end', 'x\x1b[?104', ''],
    ['a lone ESC at the end', 'x\x1b', ''],
  ])('%s', (_, input, out) => expect(replay(input)).toBe(out));

  it('accumulates over several skipped parts and forgets after take()', () => {
    const s = new SkippedModes();
    s.absorb(Buffer.from('\x1b[?1049h'));
    s.absorb(Buffer.from('\x1b[32m'));
    expect(s.take().toString()).toBe('\x1b[?1049h\x1b[32m');
    expect(s.empty).toBe(true);
  });

  // mirror.ts drops whole chunks as they came from the PTY: a sequence may be split anywhere.
  it('reads a sequence split across chunks, at every split point', () => {
    const stream = 'ab\x1b[?1049h\x1b]0;t\x07\x1b[1;20r\x1b(0\x0e\x1b[2 q\x1b[31mxyz\x1b[?1000;1006h';
    const whole = replay(stream);
    expect(whole).toBe('\x1b[?1049h\x1b[1;20r\x1b(0\x1b[2 q\x1b[?1000h\x1b[?1006h\x1b[31m\x0e');
    for (let i = 1; i < stream.length; i++) {
      for (let j = i; j < stream.length; j += 5) expect(replay(stream.slice(0, i), stream.slice(i, j), stream.slice(j))).toBe(whole);
    }
  });

  it('keeps a bounded number of colour changes', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `\x1b[38;5;${i % 256}m`).join('');
    expect(replay(many).length).toBeLessThan(32 * 16);
  });
});
