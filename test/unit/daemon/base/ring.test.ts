import { describe, expect, it } from 'vitest';
import { Ring } from '../../../../src/daemon/base/ring';

// Appends `chunks` to a ring and to a plain reference array; checks every readable offset.
function check(capacity: number, chunks: number[]): void {
  const ring = new Ring(capacity);
  const all: number[] = [];
  let byte = 0;
  for (const n of chunks) {
    const data = Buffer.from(Array.from({ length: n }, () => byte++ % 251));
    ring.append(data);
    all.push(...data);
    expect(ring.head).toBe(all.length);
    expect(ring.tail).toBe(Math.max(0, all.length - capacity));
    expect(ring.allocated).toBeLessThanOrEqual(Math.max(capacity, 16 * 1024));
    for (const from of [ring.tail, ring.tail + 1, Math.floor((ring.tail + ring.head) / 2), ring.head - 1]) {
      if (from < ring.tail || from >= ring.head) continue;
      const r = ring.read(from, capacity);
      expect(r.kind).toBe('data');
      if (r.kind === 'data') expect([...r.data]).toEqual(all.slice(from, ring.head));
    }
  }
}

describe('Ring', () => {
  it.each([
    ['fills without wrapping', 100, [10, 20, 30]],
    ['wraps around', 100, [60, 60, 60, 7]],
    ['takes a write larger than itself', 100, [30, 250, 5]],
    ['takes an exact fit', 64, [64, 64, 1]],
    ['grows past its first allocation', 100_000, [10_000, 20_000, 40_000, 50_000, 1]],
    ['grows and wraps', 40_000, [17_000, 17_000, 17_000, 3]],
    ['one byte at a time', 7, Array.from({ length: 30 }, () => 1)],
  ])('%s', (_, cap, chunks) => check(cap as number, chunks as number[]));

  it('reports a gap for an offset that left the ring, and none at the head', () => {
    const ring = new Ring(10);
    ring.append(Buffer.from('0123456789abcdef'));
    expect(ring.read(2, 100)).toEqual({ kind: 'gap', from: 2, to: 6 });
    expect(ring.read(16, 100)).toEqual({ kind: 'none' });
    expect(ring.read(10, 3)).toEqual({ kind: 'data', offset: 10, data: Buffer.from('abc') });
  });

  it('allocates nothing until output arrives', () => {
    expect(new Ring(1024 * 1024).allocated).toBe(0);
  });
});
