import { describe, expect, it } from 'vitest';
import { parseEventFilter, type RelayEvent } from '../../../src/protocol/events';

const time = '2026-01-01T00:00:00.000Z';
const finished = (status: number | null, durationMs: number, state: 'done' | 'failed' | 'killed' = 'done'): RelayEvent => ({ type: 'job-finished', time, session: 's', job: 1, command: 'x', origin: 'exec', state, status, durationMs });
const input: RelayEvent = { type: 'input', time, session: 's', job: 1, prompt: 'p', echoOff: false, fullScreen: false };
const bell: RelayEvent = { type: 'bell', time, session: 's' };

describe('parseEventFilter', () => {
  it.each([
    ['input', input, true],
    ['input', bell, false],
    ['failed', finished(3, 10), true],
    ['failed', finished(0, 10), false],
    ['failed', finished(null, 10, 'killed'), true],
    ['finished-after=60', finished(0, 59_999), false],
    ['finished-after=60', finished(0, 60_000), true],
    ['finished-after=0.5', finished(1, 500), true],
    ['input,failed,finished-after=60', finished(0, 1000), false],
    ['input, failed', finished(2, 1000), true],
    ['bell', bell, true],
    ['job-finished', finished(0, 1), true],
    ['all', bell, true],
    ['input', { type: 'dropped', time, session: null, count: 3 }, true], // a reader must hear its losses
  ] as const)('%s on %s', (spec, e, want) => {
    const f = parseEventFilter(spec);
    if (typeof f === 'string') throw new Error(f);
    expect(f(e as RelayEvent)).toBe(want);
  });

  it.each(['nope', 'finished-after=', 'finished-after=-1', ',', ''])('refuses %j', (spec) => {
    expect(typeof parseEventFilter(spec)).toBe('string');
  });
});
