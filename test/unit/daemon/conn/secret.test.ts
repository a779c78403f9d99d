import { describe, expect, it } from 'vitest';
import { secretMatches } from '../../../../src/daemon/conn/secret';

describe('secretMatches', () => {
  it.each([
    ['s3cret', 's3cret', true],
    ['s3cret', 's3cre', false],
    ['', 'x', false],
    ['a'.repeat(1000), 'a'.repeat(1000), true],
  ])('%j vs %j', (a, b, ok) => expect(secretMatches(a, b)).toBe(ok));
});
