import { expect, it } from 'vitest';
import { encodeTrailer, TrailerScanner } from '../../../src/protocol/exec-text';

const TOKEN = 'tok12345abc';

it('separates output from the trailer at every split point', () => {
  const output = 'hello\n\0not-the-trailer\0tok1 still output\n';
  const whole = Buffer.concat([Buffer.from(output, 'latin1'), encodeTrailer(TOKEN, 7, 'exit')]);
  for (let i = 0; i <= whole.length; i++) {
    const s = new TrailerScanner(TOKEN);
    const out = Buffer.concat([s.push(whole.subarray(0, i)), s.push(whole.subarray(i))]);
    expect(out.toString('latin1')).toBe(output);
    expect(s.result()).toEqual({ status: 7, reason: 'exit', fields: {} });
  }
});

it('returns held output when the stream ends without a trailer', () => {
  const s = new TrailerScanner(TOKEN);
  expect(s.push(Buffer.from('abc\0tok')).toString()).toBe('abc');
  expect(s.result()).toBeNull();
  expect(s.rest().toString()).toBe('\0tok');
});

it('carries key=value fields, percent-encoded, at every split point', () => {
  const fields = { job: '12', session: 'build', prompt: 'Password; for "x" =\n', cwd: '/tmp/a b' };
  const whole = Buffer.concat([Buffer.from('out\n'), encodeTrailer(TOKEN, 124, 'input', fields)]);
  for (let i = 0; i <= whole.length; i++) {
    const s = new TrailerScanner(TOKEN);
    const out = Buffer.concat([s.push(whole.subarray(0, i)), s.push(whole.subarray(i))]);
    expect(out.toString()).toBe('out\n');
    expect(s.result()).toEqual({ status: 124, reason: 'input', fields });
  }
});
