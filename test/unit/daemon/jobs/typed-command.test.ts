import { describe, expect, it } from 'vitest';
import type { MarkEvent } from '../../../../src/daemon/shell/marks';
import { TypedLines, typedCommand } from '../../../../src/daemon/jobs/typed-command';

type Mark = MarkEvent & { type: 'mark' };
const T = (text: string, more = 0): Mark => ({ type: 'mark', kind: 'T', status: 0, typed: { text, more } });
const A: Mark = { type: 'mark', kind: 'A', status: 0 };

describe('typedCommand', () => {
  it.each([
    ['plain', 'echo typed-$((6*7))', 0, 'echo typed-$((6*7))'],
    ['trimmed', '  ls -l  ', 0, 'ls -l'],
    ['escapes and BEL shown, not sent', 'a\x1b[31mb\x07c\x9bd', 0, 'a^[[31mb^Gc\\x9bd'],
    ['direction and line-separator characters shown', 'x\u202ey\u2028z', 0, 'x\\u202ey\\u2028z'],
    ['cut to 80 with a count of the lines after it', 'y'.repeat(100), 2, `${'y'.repeat(79)}… (+2 lines)`],
    ['one more line', 'for i in 1; do', 1, 'for i in 1; do (+1 line)'],
    ['blank', '   ', 0, null],
  ])('%s', (_, line, more, shown) => {
    expect(typedCommand(line, more)).toBe(shown);
  });
});

describe('TypedLines', () => {
  it('gathers the lines of one command until it is taken, and forgets them at a prompt', () => {
    const t = new TypedLines();
    expect(t.mark(T('for i in 1 2; do'), true)).toBe(true);
    expect(t.mark(T('echo $i', 1), true)).toBe(true);
    expect(t.take()).toBe('for i in 1 2; do (+2 lines)');
    expect(t.take()).toBe(null);
    t.mark(T('echo x'), true);
    expect(t.mark(A, true)).toBe(false); // a prompt: that line ran nothing (it was blank or cut)
    expect(t.take()).toBe(null);
  });

  it('ignores a line entered while a job of ours runs (a `read -e` in it)', () => {
    const t = new TypedLines();
    expect(t.mark(T('an answer'), false)).toBe(true);
    expect(t.take()).toBe(null);
  });
});
