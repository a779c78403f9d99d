// The screen mirror through its worker thread (needs `make build`: dist/mirror-worker.js).
import { afterEach, describe, expect, it } from 'vitest';
import { Mirror, MIRROR_BACKLOG_BYTES, MIRROR_TAIL_BYTES, promptOf } from '../../../../src/daemon/mirror/mirror';

const mirrors: Mirror[] = [];
function mirror(cols = 20, rows = 5, start = 0): Mirror {
  const m = new Mirror(cols, rows, start);
  mirrors.push(m);
  return m;
}
afterEach(() => {
  for (const m of mirrors.splice(0)) m.dispose();
});

// Writes `text` at the mirror's running offset, in chunks of `size` bytes.
function feed(m: Mirror, at: { offset: number }, text: string | Buffer, size = Infinity): void {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) {
    const chunk = bytes.subarray(i, Math.min(bytes.length, i + size));
    m.write(at.offset, chunk);
    at.offset += chunk.length;
  }
}

describe('promptOf', () => {
  const at = (rows: string[], row: number, col: number, altScreen = false) => promptOf({ rows, cols: 20, cursor: { row, col }, altScreen });
  it('is the line a line-mode program\'s cursor stands at the end of', () => {
    expect(at(['$ read', 'Name: '], 1, 6)).toBe('Name:');
    expect(at(['sqlite> '], 0, 8)).toBe('sqlite>');
    expect(at(['名前: '], 0, 6)).toBe('名前:');
    expect(at(['Enter a value:', ''], 1, 0)).toBe('Enter a value:'); // a prompt, then a newline
  });

  it('is never the command\'s own echo: the line above the cursor of a job that printed no text (cat)', () => {
    const echo = (printed: boolean) => promptOf({ rows: ['me@vm:~$ [agent] cat', ''], cols: 40, cursor: { row: 1, col: 0 }, altScreen: false }, printed);
    expect(echo(false)).toBe('');
    expect(echo(true)).toBe('me@vm:~$ [agent] cat'); // (what it was: the job's own line, as a program prints one)
    expect(promptOf({ rows: ['$ [agent] py', '>>> '], cols: 40, cursor: { row: 1, col: 4 }, altScreen: false }, false)).toBe('>>>');
  });

  it('is nothing where a program parked its cursor away from its text (top)', () => {
    expect(at(['  PID USER', '    1 root  S  0.0  init'], 1, 19)).toBe(''); // after a row padded with spaces
    expect(at(['  PID USER', '    1 root  S  0.0 init'], 1, 20)).toBe(''); // a full row: waiting to wrap
    expect(at(['    1 root', 'abc'], 1, 0)).toBe(''); // at the start of a row of text
    expect(at(['    1 root', ''], 1, 5)).toBe(''); // inside an empty row
  });

  it('is the cursor\'s line on the alternate screen, wherever the cursor is in it (vim, less)', () => {
    expect(at(['text line 1', 'text line 2'], 1, 0, true)).toBe('text line 2');
    expect(at(['text', ':'], 1, 1, true)).toBe(':');
  });
});

describe('screenText', () => {
  it('shows the visible rows trimmed, and the cursor', async () => {
    const m = mirror();
    const at = { offset: 0 };
    feed(m, at, 'hello   \r\n  world\r\n$ ');
    expect(await m.screenText()).toEqual({ rows: ['hello', '  world', '$', '', ''], cols: 20, cursor: { row: 2, col: 2 }, altScreen: false });
  });

  it('follows escape sequences split across writes, one byte at a time', async () => {
    const m = mirror();
    const at = { offset: 0 };
    feed(m, at, 'abc\x1b[2;5Hxy\x1b[1;1H\x1b[2K', 1);
    expect(await m.screenText()).toEqual({ rows: ['', '    xy', '', '', ''], cols: 20, cursor: { row: 0, col: 0 }, altScreen: false });
  });

  it('reports the alternate screen of a full-screen program, and the normal one after it', async () => {
    const m = mirror();
    const at = { offset: 0 };
    feed(m, at, 'shell line\r\n');
    feed(m, at, '\x1b[?1049h\x1b[H\x1b[2Jeditor view');
    expect(await m.screenText()).toMatchObject({ rows: ['editor view', '', '', '', ''], altScreen: true });
    feed(m, at, '\x1b[?1049l');
    expect(await m.screenText()).toMatchObject({ rows: ['shell line', '', '', '', ''], altScreen: false, cursor: { row: 1, col: 0 } });
  });

  it('shows the last screenful of a long output, at the new size after a resize', async () => {
    const m = mirror(20, 5);
    const at = { offset: 0 };
    feed(m, at, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\r\n'));
    expect((await m.screenText()).rows).toEqual(['line 95', 'line 96', 'line 97', 'line 98', 'line 99']);
    m.resize(30, 3);
    const s = await m.screenText();
    expect(s.rows).toHaveLength(3);
    expect(s.rows[2]).toBe('line 99');
  });
});

describe('snapshot', () => {
  it('stands for every byte written before it, at its offset', async () => {
    const m = mirror(40, 5, 1000);
    const at = { offset: 1000 };
    feed(m, at, 'first\r\n\x1b[1msecond\x1b[0m');
    const snap = await m.snapshot();
    expect(snap.offset).toBe(1000 + Buffer.byteLength('first\r\n\x1b[1msecond\x1b[0m'));
    expect(snap.data.toString()).toContain('first');
    expect(snap.data.toString()).toMatch(/\x1b\[[0-9;]*1m?[^]*second/);
  });

  it('carries on after a gap in the offsets', async () => {
    const m = mirror(40, 5, 0);
    m.write(0, Buffer.from('before '));
    m.write(5000, Buffer.from('after'));
    const snap = await m.snapshot();
    expect(snap.offset).toBe(5005);
    expect((await m.screenText()).rows[0]).toBe('before after');
  });

  it('answers with an empty screen once disposed, never hanging', async () => {
    const m = mirror();
    m.write(0, Buffer.from('x'));
    m.dispose();
    expect(await m.snapshot()).toEqual({ offset: 1, data: Buffer.alloc(0) });
    expect((await m.screenText()).rows).toEqual([]);
  });
});

it('keeps mirrors apart in the one worker', async () => {
  const a = mirror();
  const b = mirror();
  a.write(0, Buffer.from('from a'));
  b.write(0, Buffer.from('from b'));
  a.dispose();
  expect((await b.screenText()).rows[0]).toBe('from b');
  const c = mirror();
  c.write(0, Buffer.from('from c'));
  expect((await c.screenText()).rows[0]).toBe('from c');
});

describe('a flood', () => {
  const frozen = (): number => 1_000_000;

  it('is parsed only in its last part, in the modes set before that part', async () => {
    const m = new Mirror(40, 3, 0, frozen);
    mirrors.push(m);
    const at = { offset: 0 };
    // A full-screen program starts, sets modes and colours, then floods.
    feed(m, at, 'shell prompt\r\n');
    expect((await m.screenText()).rows[0]).toBe('shell prompt');
    feed(m, at, '\x1b[?1049h\x1b[?2004h\x1b[1;31m');
    const lines = Array.from({ length: 300_000 }, (_, i) => `row ${i}\r\n`).join('');
    feed(m, at, lines, 4096);
    await new Promise((r) => setImmediate(r));
    expect(m.skippedBytes).toBeGreaterThan(Buffer.byteLength(lines) - MIRROR_TAIL_BYTES - 4096);
    const s = await m.screenText();
    expect(s).toMatchObject({ rows: ['row 299998', 'row 299999', ''], altScreen: true });
    const snap = await m.snapshot();
    expect(snap.offset).toBe(at.offset);
    // Red bold text, and bracketed paste still on: the modes survived the cut.
    expect(snap.data.toString()).toMatch(/\x1b\[[0-9;]*1;31m|\x1b\[[0-9;]*31;1m|\x1b\[1m\x1b\[31m/);
    expect(snap.data.toString()).toContain('\x1b[?2004h');
    // Leaving the alternate screen shows the shell's screen, kept from before the flood.
    feed(m, at, '\x1b[?1049l');
    expect((await m.screenText()).rows[0]).toBe('shell prompt');
  });

  it('keeps no more than the backlog bound waiting', async () => {
    const m = new Mirror(40, 3, 0, frozen);
    mirrors.push(m);
    const at = { offset: 0 };
    for (let turn = 0; turn < 20; turn++) {
      feed(m, at, Buffer.alloc(MIRROR_BACKLOG_BYTES / 2, 'x'), 65536);
      await new Promise((r) => setImmediate(r));
      expect(at.offset - m.skippedBytes).toBeLessThanOrEqual(MIRROR_BACKLOG_BYTES + 2 * MIRROR_BACKLOG_BYTES);
    }
    expect(m.skippedBytes).toBeGreaterThan(8 * MIRROR_BACKLOG_BYTES);
  });
});
