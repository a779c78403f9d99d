// The screen mirror through its worker thread (needs `make build`: dist/mirror-worker.js).
import { afterEach, describe, expect, it } from 'vitest';
import { Mirror, MIRROR_BACKLOG_BYTES, MIRROR_TAIL_BYTES } from '../../../../src/daemon/mirror/mirror';

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

describe('screenText', () => {
  it('shows the visible rows trimmed, and the cursor', async () => {
    const m = mirror();
    const at = { offset: 0 };
    feed(m, at, 'hello   \r\n  world\r\n$ ');
    expect(await m.screenText()).toEqual({ rows: ['hello', '  world', '$', '', ''], cursor: { row: 2, col: 2 }, altScreen: false });
  });

  it('follows escape sequences split across writes, one byte at a time', async () => {
    const m = mirror();
    const at = { offset: 0 };
    feed(m, at, 'abc\x1b[2;5Hxy\x1b[1;1H\x1b[2K', 1);
    expect(await m.screenText()).toEqual({ rows: ['', '    xy', '', '', ''], cursor: { row: 0, col: 0 }, altScreen: false });
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
