import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PACE_BURST_BYTES, PACE_HOLD_BYTES, PACE_MS, SendPacer } from '../../../../src/daemon/attach/send-pacer';

// The clock is faked: "later" is an explicit step, so nothing here depends on the machine's speed.
describe('SendPacer', () => {
  const RING = 1024 * 1024;
  let sends: number;
  let pacer: SendPacer;
  // A send of `bytes`, as attach.ts's pump reports it.
  const sendOf = (bytes: number) => () => {
    sends++;
    pacer.sent(bytes);
  };
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    sends = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('sends small output at once, however often it comes (typing, echo)', () => {
    pacer = new SendPacer(sendOf(1));
    for (let i = 0; i < 1000; i++) pacer.wake(100, RING);
    expect(sends).toBe(1000);
  });

  it('sends a flood at once up to the burst, then once per window with everything gathered', () => {
    pacer = new SendPacer(sendOf(4096));
    for (let i = 0; i < 50; i++) pacer.wake(100, RING); // 50 PTY reads within one window
    const burst = Math.ceil(PACE_BURST_BYTES / 4096);
    expect(sends).toBe(burst);
    vi.advanceTimersByTime(PACE_MS - 1);
    expect(sends).toBe(burst);
    vi.advanceTimersByTime(1);
    expect(sends).toBe(burst + 1); // the window's end: one send for the 50 - burst reads
  });

  it('starts a fresh burst in the next window', () => {
    pacer = new SendPacer(sendOf(PACE_BURST_BYTES));
    pacer.wake(100, RING);
    pacer.wake(100, RING);
    expect(sends).toBe(1);
    vi.advanceTimersByTime(PACE_MS);
    expect(sends).toBe(2);
    vi.advanceTimersByTime(PACE_MS);
    pacer.wake(100, RING);
    expect(sends).toBe(3);
  });

  it('never holds back a full frame, nor a quarter of a small ring', () => {
    pacer = new SendPacer(sendOf(PACE_BURST_BYTES));
    pacer.wake(100, RING);
    pacer.wake(100, RING);
    expect(sends).toBe(1);
    pacer.wake(PACE_HOLD_BYTES, RING);
    expect(sends).toBe(2);
    pacer.wake(16 * 1024, 64 * 1024);
    expect(sends).toBe(3);
    pacer.wake(16 * 1024 - 1, 64 * 1024);
    expect(sends).toBe(3);
  });

  it('sends nothing after stop()', () => {
    pacer = new SendPacer(sendOf(PACE_BURST_BYTES));
    pacer.wake(100, RING);
    pacer.wake(100, RING);
    pacer.stop();
    vi.advanceTimersByTime(10 * PACE_MS);
    expect(sends).toBe(1);
  });
});
