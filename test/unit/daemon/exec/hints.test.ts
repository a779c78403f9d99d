import { describe, expect, it } from 'vitest';
import { nearName } from '../../../../src/daemon/exec/hints';

describe('nearName', () => {
  it('finds the one name a typo away: changed, swapped, added or left out', () => {
    const names = ['default', 'build', 'web'];
    expect(nearName('buidl', names)).toBe('build');
    expect(nearName('bulid', names)).toBe('build');
    expect(nearName('biuld', names)).toBe('build');
    expect(nearName('buil', names)).toBe('build');
    expect(nearName('builds', names)).toBe('build');
    expect(nearName('bxild', names)).toBe('build');
  });
  it('is silent for unlike, short, identical or ambiguous names', () => {
    expect(nearName('deploy', ['default', 'build'])).toBeNull();
    expect(nearName('wb', ['web'])).toBeNull();
    expect(nearName('build', ['build'])).toBeNull();
    expect(nearName('test', ['tests', 'best'])).toBeNull();
  });
});
