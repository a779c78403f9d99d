// The next step for each refusal the daemon sends before reading a request.
import { expect, it } from 'vitest';
import { isFinalRefusal, refusalHint } from '../../../src/client/explain';

it.each([
  ['connections from uid 1001 are not allowed; this daemon serves uid 1000 only', false, 'the daemon belongs to uid 1000 and you reach it as uid 1001: connect as the daemon\'s user (through a tunnel, ssh in as that user)', true],
  ['authentication required: start the request with a #!auth SECRET line', false, 'the daemon has a shared secret: set PTY_RELAY_SECRET, or pass --secret-file FILE (mode 600)', false],
  ['authentication failed', true, "the daemon rejected the secret: PTY_RELAY_SECRET or --secret-file must hold the daemon's secret", false],
  ['too many new connections (limit 5/s); try again shortly', false, 'wait a second and try again', false],
  ['something new', false, null, false],
])('%s', (line, hasSecret, hint, final) => {
  expect(refusalHint(line, hasSecret)).toBe(hint);
  expect(isFinalRefusal(line)).toBe(final);
});
