// The Nagle verdict: a stall shows in the medians and in the fastest samples; noise does not.
import { describe, expect, it } from 'vitest';
import { median, NAGLE_MARGIN_MS, roundTripCheck } from '../../../../src/client/doctor/round-trip';

describe('roundTripCheck', () => {
  it.each([
    // measured through a real sshd: plain `ssh -N`
    ['ssh -N', [10, 15, 11, 13, 12, 8, 9, 12, 11], [80, 58, 57, 87, 59, 67, 60, 61, 62], 'warning'],
    // measured through `pty-relay tunnel` and direct, on a machine loaded 5x beyond its cores
    ['ssh -tt, loaded', [13, 15, 14, 17, 48, 4, 11, 13, 16], [30, 17, 19, 35, 32, 17, 18, 34, 17], 'ok'],
    ['direct, loaded', [19, 8, 24, 25, 27, 7, 27, 56, 83], [85, 45, 21, 50, 47, 45, 34, 84, 110], 'ok'],
    ['direct, idle', [5, 5, 6, 5, 5, 6, 5, 5, 5], [7, 8, 7, 8, 7, 7, 8, 7, 9], 'ok'],
  ])('%s', (_, trueMs, replyMs, status) => {
    expect(roundTripCheck({ trueMs, replyMs }).status).toBe(status);
  });

  it('names `pty-relay tunnel` in the warning and reports medians', () => {
    const c = roundTripCheck({ trueMs: [5, 5, 5], replyMs: [50, 52, 51] });
    expect(c.message).toBe('a 2 kB reply takes 51.0 ms against 5.0 ms for `true` (median of 3 each): the Nagle stall of a plain `ssh -N` tunnel');
    expect(c.fix).toContain('`pty-relay tunnel SERVER`');
  });

  it('a stall just under the margin is not one', () => {
    const m = NAGLE_MARGIN_MS - 1;
    expect(roundTripCheck({ trueMs: [5, 5, 5], replyMs: [5 + m, 5 + m, 5 + m] }).status).toBe('ok');
  });

  it('a failure is a problem', () => {
    expect(roundTripCheck({ failure: '`true` got "pty-relay: error: x"' })).toMatchObject({ status: 'problem', message: 'a command through the chain failed: `true` got "pty-relay: error: x"' });
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
