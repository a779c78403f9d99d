// The rows a line-mode program's reply shows: what is new on a normal screen since the keystrokes,
// with the screen's scrolling accounted for.
import { describe, expect, it } from 'vitest';
import { newRows } from '../../../../src/daemon/exec/screen-diff';

const screen = (rows: string[], row: number, col = 0, altScreen = false) => ({ rows, cols: 80, cursor: { row, col }, altScreen });
const pad = (rows: string[], n = 10): string[] => [...rows, ...Array.from({ length: n - rows.length }, () => '')];

describe('newRows', () => {
  it('a REPL on a screen with room: the typed line, the answer and the new prompt', () => {
    const before = screen(pad(['>>> 1+1', '2', '>>> ']), 2, 4);
    const after = screen(pad(['>>> 1+1', '2', '>>> 6*7', '42', '>>> ']), 4, 4);
    expect(newRows(after, before)).toEqual({ rows: ['>>> 6*7', '42', '>>>'], first: 2 });
  });

  it('a full screen that scrolled: the same rows, found where they moved to', () => {
    const history = Array.from({ length: 9 }, (_, i) => `row ${i}`);
    const before = screen([...history, '>>> '], 9, 4);
    const after = screen([...history.slice(2), '>>> 6*7', '42', '>>> '], 9, 4);
    expect(newRows(after, before)).toEqual({ rows: ['>>> 6*7', '42', '>>>'], first: 7 });
  });

  it('output longer than the screen: every row, from the top', () => {
    const before = screen(pad(['$ '], 4), 0, 2);
    const after = screen(['3', '4', '5', '$ '], 3, 2);
    expect(newRows(after, before)).toEqual({ rows: ['3', '4', '5', '$'], first: 0 });
  });

  it('nothing changed: the cursor\'s row alone; no screen before (or another mode): all up to the cursor', () => {
    const s = screen(pad(['a', 'b', 'sqlite> ']), 2, 8);
    expect(newRows(s, s)).toEqual({ rows: ['sqlite>'], first: 2 });
    expect(newRows(s, null)).toEqual({ rows: ['a', 'b', 'sqlite>'], first: 0 });
    expect(newRows(s, screen(pad(['a', 'b']), 1, 0, true)).first).toBe(0);
  });

  it('a repeated line is not taken for scrolling when nothing scrolled', () => {
    const before = screen(pad(['x', 'x', 'x', '> ']), 3, 2);
    const after = screen(pad(['x', 'x', 'x', '> go', 'done', '> ']), 5, 2);
    expect(newRows(after, before)).toEqual({ rows: ['> go', 'done', '>'], first: 3 });
  });
});
