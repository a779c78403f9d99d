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

  // Under load a resize's SIGWINCH reaches bash after it drew the prompt (B): readline draws the
  // prompt again, B and all, while the window is open; that text is not output printed at it.
  it('drops a prompt drawn again while open, keeping finished lines before it', () => {
    const idle = new IdleOutput();
    idle.opening(true); // B
    idle.data(b('\rprompt> '));
    idle.opening(true); // B again: the redraw
    expect(idle.take(4096)).toBeNull();
    idle.data(b('bg line\r\n'));
    idle.data(b('\rprompt> '));
    idle.opening(true);
    expect(idle.take(4096)?.text.toString()).toBe('bg line\n');
  });

  // Keys typed ahead while a job ran are read at once after the prompt: the echo of the line they
  // make, up to its T or C mark, is not output; what came before the prompt stays.
  it('drops the echo of a line accepted at the prompt, but for what a reply had', () => {
    const idle = new IdleOutput();
    idle.opening(true); // D
    idle.data(b('tick\r\n'));
    idle.close(); // A
    idle.opening(true); // B
    idle.data(b('echo typed-ahead\r\n'));
    idle.accepted(); // C
    idle.data(b('typed-ahead\r\n')); // the command's own output: closed
    expect(idle.take(4096)?.text.toString()).toBe('tick\n');
    idle.opening(true);
    idle.data(b('late\r\n'));
    idle.take(4096)?.commit();
    idle.data(b('ls\r\n'));
    idle.accepted();
    expect(idle.take(4096)).toBeNull();
    idle.accepted(); // closed: nothing happens
    expect(idle.take(4096)).toBeNull();
  });
});
