import { describe, expect, it } from 'vitest';
import { statusRows, type ReconnectStatus } from '../../../src/client/status-line';

const shutdown: ReconnectStatus = {
  why: 'connection lost: the daemon is shutting down (SIGTERM)',
  now: 'retrying in 1.0 s (attempt 2)',
  last: 'nothing listens on localhost:38833: is the tunnel up? run `pty-relay doctor` to see what is wrong',
};

describe('statusRows', () => {
  it('puts why and now on one row when both fit, the last failure after them, cut at the width', () => {
    const rows = statusRows(shutdown, 120);
    expect(rows).toEqual([
      '[pty-client] connection lost: the daemon is shutting down (SIGTERM); retrying in 1.0 s (attempt 2); last try: nothing l',
    ]);
    expect(rows[0]).toHaveLength(119);
  });

  it('stacks why (wrapped at a space) over now on a narrow terminal (a phone), each cut at the width', () => {
    expect(statusRows(shutdown, 60)).toEqual([
      '[pty-client] connection lost: the daemon is shutting down',
      '(SIGTERM)',
      'retrying in 1.0 s (attempt 2); last try: nothing listens on',
    ]);
  });

  it('says nothing of the last try when it failed as the first did', () => {
    const s: ReconnectStatus = { why: 'connection lost: connection closed', now: 'retrying in 0.5 s (attempt 1)', last: null };
    expect(statusRows(s, 80)).toEqual(['[pty-client] connection lost: connection closed; retrying in 0.5 s (attempt 1)']);
  });

  it('cuts a reason too long for two rows, and one with no space to break at', () => {
    const long: ReconnectStatus = { why: `cannot connect: ${'x'.repeat(100)}`, now: 'retrying in 0.5 s (attempt 1)', last: null };
    expect(statusRows(long, 40)).toEqual(['[pty-client] cannot connect:', 'x'.repeat(39), 'retrying in 0.5 s (attempt 1)']);
  });

  it('never draws past the width, however narrow', () => {
    for (const cols of [1, 2, 10, 59, 61, 99, 100, 200]) {
      for (const row of statusRows(shutdown, cols)) expect(row.length).toBeLessThanOrEqual(Math.max(1, cols - 1));
    }
  });
});
