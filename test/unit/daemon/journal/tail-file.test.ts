import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TailFile } from '../../../../src/daemon/journal/tail-file';

// A stream of distinct bytes, so that any byte out of place or lost shows.
const stream = (from: number, n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TailFile', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tail-file-'));
    file = path.join(dir, 'out.log');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is on disk after the turn its bytes were appended in, in one write', async () => {
    const t = new TailFile(file, 1024, 100);
    t.append(Buffer.from('ab'));
    t.append(Buffer.from('cd'));
    expect(TailFile.read(file)).toEqual({ head: 100, data: Buffer.alloc(0) });
    await turn();
    expect(TailFile.read(file)).toEqual({ head: 104, data: Buffer.from('abcd') });
    t.close();
  });

  it('keeps at least the newest keepBytes, contiguous and ending at the head, across many rotations', async () => {
    const keep = 1000;
    const t = new TailFile(file, keep, 0);
    let head = 0;
    for (let i = 0; i < 50; i++) {
      const n = 97 + ((i * 37) % 300);
      t.append(stream(head, n));
      head += n;
      if (i % 3 === 0) await turn();
    }
    t.close();
    const r = TailFile.read(file);
    expect(r?.head).toBe(head);
    expect(r!.data.length).toBeGreaterThanOrEqual(keep);
    expect(r!.data.length).toBeLessThanOrEqual(2 * keep + 400);
    expect(r!.data.equals(stream(head - r!.data.length, r!.data.length))).toBe(true);
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reads a rotation cut short: only the older segment, or an older one that does not join', async () => {
    const t = new TailFile(file, 10, 0);
    t.append(stream(0, 12));
    t.close(); // rotated: out.log.1 holds 0..12, out.log starts at 12 with nothing
    fs.rmSync(file); // killed between the rename and the new file
    expect(TailFile.read(file)).toEqual({ head: 12, data: stream(0, 12) });
    const u = new TailFile(file, 100, 500); // a new start: the stale older segment goes
    u.append(Buffer.from('x'));
    u.close();
    expect(fs.existsSync(`${file}.1`)).toBe(false);
    fs.writeFileSync(`${file}.1`, Buffer.concat([Buffer.alloc(8), Buffer.from('unrelated')]));
    expect(TailFile.read(file)).toEqual({ head: 501, data: Buffer.from('x') });
  });

  it('removes both segments', () => {
    const t = new TailFile(file, 4, 0);
    t.append(stream(0, 8));
    t.flush();
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    t.remove();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
