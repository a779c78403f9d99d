// The screen window a reply shows of a full-screen program, and the redraw test for programs that
// draw a full screen without the alternate one.
import { describe, expect, it } from 'vitest';
import { redrawsScreen, screenWindow } from '../../../../src/daemon/exec/screen-window';

const screen = (rows: string[], row: number, col = 0, altScreen = true) => ({ rows, cols: 80, cursor: { row, col }, altScreen });
const text = (n: number, word = 'line'): string[] => Array.from({ length: n }, (_, i) => `${word} ${i + 1}`);

describe('screenWindow', () => {
  it('shows a screen of up to 50 rows whole when all of it is new, the cursor\'s row marked', () => {
    const w = screenWindow(screen(text(50), 49, 1)).split('\n');
    expect(w[0]).toBe('pty-relay: the screen, rows 1-50 of 50; the cursor is at row 50, column 2, on the line marked ">"');
    expect(w.slice(1, 3)).toEqual(['  line 1', '  line 2']);
    expect(w.slice(-2)).toEqual(['> line 50', '']);
  });

  it('after keystrokes: 25 rows centred on the cursor, the bottom row, and the rows they changed', () => {
    const before = screen([...text(49), '"f" 50L'], 0);
    const after = screen([...text(49), '"f" 50L    25,1'], 24, 3);
    const w = screenWindow(after, before).split('\n');
    expect(w[0]).toBe('pty-relay: the screen, rows 13-37 and 50 of 50 (the others: #!screen); the cursor is at row 25, column 4, on the line marked ">"');
    expect(w.slice(1, 4)).toEqual(['  line 13', '  line 14', '  line 15']);
    expect(w[13]).toBe('> line 25');
    expect(w.slice(-3)).toEqual(['  line 37', '  "f" 50L    25,1', '']);
    // a row changed far from the cursor is shown too
    const far = [...text(49), '"f" 50L    25,1'];
    far[2] = 'edited';
    expect(screenWindow(screen(far, 24, 3), before).split('\n')[0]).toMatch(/rows 3, 13-37 and 50 of 50 \(the others: #!screen\)/);
  });

  it('keeps a search match on the first row of a pager whose page moved', () => {
    const before = screen([...text(49), ':'], 49, 1);
    const after = screen([...text(49, 'next'), ':'], 49, 1);
    const w = screenWindow(after, before).split('\n');
    expect(w[0]).toMatch(/^pty-relay: the screen, rows 1-50 of 50; /);
    expect(w[1]).toBe('  next 1');
  });

  it('on a tall screen: the cursor\'s window, the bottom row, then changed rows from the top, 50 at most', () => {
    const before = screen([...text(99), ':'], 99, 1);
    const all = screenWindow(screen([...text(99, 'next'), ':'], 99, 1), before).split('\n');
    expect(all[0]).toMatch(/^pty-relay: the screen, rows 1-25 and 76-100 of 100 \(the others: #!screen\); /);
    expect(all).toHaveLength(52);
    const one = [...text(99), ':'];
    one[39] = 'changed';
    expect(screenWindow(screen(one, 99, 1), before)).toMatch(/^pty-relay: the screen, rows 40 and 76-100 of 100 [^\n]*\n  changed\n  line 76\n/);
  });

  it('fills a gap of up to 3 unchanged rows between shown ones (top\'s column titles)', () => {
    const before = screen(['top - 12:00', 'Tasks: 1', '', '  PID USER', ...text(46, 'proc')], 49, 80, false);
    const after = screen(['top - 12:01', 'Tasks: 2', '', '  PID USER', ...text(46, 'proc').map((l) => `${l}x`)], 49, 80, false);
    expect(screenWindow(after, before).split('\n').slice(0, 6)).toEqual([
      'pty-relay: the screen, rows 1-50 of 50; the cursor is at row 50, column 81, on the line marked ">"',
      '  top - 12:01',
      '  Tasks: 2',
      '  ',
      '    PID USER',
      '  proc 1x',
    ]);
  });

  it('leaves out blank rows at the ends of each run, but never the cursor\'s row', () => {
    const short = screenWindow(screen(['a', 'b', '', '', ''], 0));
    expect(short).toBe('pty-relay: the screen, rows 1-2 of 5; the cursor is at row 1, column 1, on the line marked ">"\n> a\n  b\n');
    expect(screenWindow(screen(['', '', 'x', '', ''], 4))).toMatch(/rows 3-5 of 5[^\n]*\n  x\n  \n> \n$/);
    expect(screenWindow(screen(['frame 3', '', ''], 0), screen(['frame 2', '', ''], 0))).toMatch(/^pty-relay: the screen, row 1 of 3; [^\n]*\n> frame 3\n$/);
  });

  it('is empty for an empty screen', () => {
    expect(screenWindow(screen([], 0))).toBe('');
  });
});

describe('redrawsScreen', () => {
  it.each([
    ['cursor home', '\x1b[H', true],
    ['home with both parameters', 'x\x1b[1;1Hy', true],
    ['erase the screen', '\x1b[2J', true],
    ['an absolute move elsewhere', '\x1b[11H\x1b[1;10H\x1b[25;1H', false],
    ['readline redrawing a line', '\r\x1b[K>>> print(1)\x1b[5D', false],
    ['erase below', '\x1b[J', false],
  ])('%s', (_, s, expected) => {
    expect(redrawsScreen(Buffer.from(s, 'latin1'))).toBe(expected);
  });
});
