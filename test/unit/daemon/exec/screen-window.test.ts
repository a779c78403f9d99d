// The screen window a reply shows of a full-screen program, and the redraw test for programs that
// draw a full screen without the alternate one.
import { describe, expect, it } from 'vitest';
import { redrawsScreen, screenWindow } from '../../../../src/daemon/exec/screen-window';

const screen = (rows: string[], row: number, col = 0, altScreen = true) => ({ rows, cursor: { row, col }, altScreen });
const text = (n: number): string[] => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

describe('screenWindow', () => {
  it('shows 25 rows centred on the cursor, marks its row, and adds the bottom row', () => {
    const rows = [...text(49), '"f" 50L    25,1'];
    const w = screenWindow(screen(rows, 24, 3)).split('\n');
    expect(w[0]).toBe('pty-relay: the screen around the cursor, rows 13-37 and 50 of 50; the cursor is at row 25, column 4, on the line marked ">"');
    expect(w.slice(1, 4)).toEqual(['  line 13', '  line 14', '  line 15']);
    expect(w[13]).toBe('> line 25');
    expect(w.slice(-3)).toEqual(['  line 37', '  "f" 50L    25,1', '']);
  });

  it('shifts the window to fit at the screen\'s ends and leaves blank rows out', () => {
    expect(screenWindow(screen(text(50), 49)).split('\n')[0]).toMatch(/rows 26-50 of 50; the cursor is at row 50,/);
    const short = screenWindow(screen(['a', 'b', '', '', ''], 0));
    expect(short).toBe('pty-relay: the screen around the cursor, rows 1-2 of 5; the cursor is at row 1, column 1, on the line marked ">"\n> a\n  b\n');
    expect(screenWindow(screen(['', '', 'x', '', ''], 4))).toMatch(/rows 3-5 of 5[^\n]*\n  x\n  \n> \n$/);
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
