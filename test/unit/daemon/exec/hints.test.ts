import { describe, expect, it } from 'vitest';
import { describeBusy, nearName } from '../../../../src/daemon/exec/hints';

describe('nearName', () => {
  it('finds the one name a typo away: two letters swapped, a letter added or left out', () => {
    const names = ['default', 'build', 'web'];
    expect(nearName('buidl', names)).toBe('build');
    expect(nearName('bulid', names)).toBe('build');
    expect(nearName('biuld', names)).toBe('build');
    expect(nearName('buil', names)).toBe('build');
    expect(nearName('builds', names)).toBe('build');
    expect(nearName('defualt', names)).toBe('default');
  });
  it('leaves names made on purpose alone: a changed letter or digit, a digit added', () => {
    expect(nearName('bxild', ['build'])).toBeNull();
    expect(nearName('par-b', ['par-a'])).toBeNull();
    expect(nearName('tail1', ['tail0'])).toBeNull();
    expect(nearName('tail12', ['tail1'])).toBeNull();
    expect(nearName('ex3', ['ex2'])).toBeNull();
    expect(nearName('s12', ['s21'])).toBeNull();
  });
  it('is silent for unlike, short, identical or ambiguous names', () => {
    expect(nearName('deploy', ['default', 'build'])).toBeNull();
    expect(nearName('wb', ['web'])).toBeNull();
    expect(nearName('build', ['build'])).toBeNull();
    expect(nearName('test', ['tests', 'tset'])).toBeNull();
  });
});

describe('describeBusy', () => {
  it('names a running job and its command, since when', () => {
    const since = new Date(Date.now() - 12_000);
    expect(describeBusy({ what: 'make', since, job: 3 })).toBe(`job 3: \`make\` since ${since.toISOString()} (12 s)`);
  });
  it('says that queued requests have not started, not that a command named after them runs', () => {
    const since = new Date(Date.now() - 2_000);
    expect(describeBusy({ what: '2 queued requests', since, job: null, queued: 2 })).toBe(`2 queued requests not started yet (the first since ${since.toISOString()} (2 s))`);
  });
});
