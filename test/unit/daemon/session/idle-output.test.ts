// Output printed while no job runs: kept only while the window is open, cleaned, shown up to a
// bound with the rest counted, and delivered once, only by commit().
import { describe, expect, it } from 'vitest';
import { IDLE_KEEP_BYTES, IdleOutput } from '../../../../src/daemon/session/idle-output';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('IdleOutput', () => {
  it('keeps output only between opening() and close(), cleaned', () => {
    const idle = new IdleOutput();
    idle.data(b('before the prompt\r\n'));
    expect(idle.take(4096)).toBeNull();
    idle.opening(true);
    idle.data(b('\x1b[32mtick\x1b[0m\r\n'));
    idle.close();
    idle.data(b('echo of a keystroke'));
    idle.opening(false); // a job runs: stays closed
    idle.data(b('job output\r\n'));
    expect(idle.take(4096)?.text.toString()).toBe('tick\n');
  });

  it('delivers once, only when committed, and hands a partial line out', () => {
    const idle = new IdleOutput();
    idle.opening(true);
    idle.data(b('one\r\ntwo'));
    const first = idle.take(4096);
    expect(first?.text.toString()).toBe('one\ntwo');
    expect(idle.take(4096)?.total).toBe(7); // not committed: given again
    idle.data(b('\r\nthree\r\n'));
    first?.commit();
    const rest = idle.take(4096);
    expect(rest?.text.toString()).toBe('\nthree\n');
    rest?.commit();
    expect(idle.take(4096)).toBeNull();
  });

  it('shows the last bytes and counts what it left out, and keeps at most IDLE_KEEP_BYTES', () => {
    const idle = new IdleOutput();
    idle.opening(true);
    const line = `${'x'.repeat(99)}\n`;
    for (let i = 0; i < 1000; i++) idle.data(b(line));
    const t = idle.take(4096);
    expect(t?.total).toBe(100_000);
    expect(t?.text.length).toBeLessThanOrEqual(4096 + 100);
    expect(t?.omitted).toBe(100_000 - (t?.text.length ?? 0));
    expect(t?.text.toString().endsWith(line)).toBe(true);
    expect(IDLE_KEEP_BYTES).toBeLessThan(100_000);
  });
});
