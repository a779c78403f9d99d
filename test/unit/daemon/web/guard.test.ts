// Who may talk to the web terminal, from the request's headers: a loopback Host, the exact Origin,
// the cookie named for the port.
import { describe, expect, it } from 'vitest';
import { cookieName, hostAllowed, originAllowed, readCookies } from '../../../../src/daemon/web/guard';

describe('web guard', () => {
  it.each([
    ['localhost', true],
    ['localhost:9998', true],
    ['127.0.0.1:1', true],
    ['[::1]:9998', true],
    ['LOCALHOST:9998', true],
    [undefined, false],
    ['evil.example:9998', false],
    ['localhost.evil.example', false],
    ['127.0.0.2:9998', false],
    ['localhost:9998@evil', false],
    ['[::2]:9998', false],
  ])('Host %s allowed: %s', (host, ok) => {
    expect(hostAllowed(host)).toBe(ok);
  });

  it('wants the exact origin', () => {
    expect(originAllowed('http://localhost:9998', 'localhost:9998')).toBe(true);
    expect(originAllowed('http://localhost:9999', 'localhost:9998')).toBe(false);
    expect(originAllowed('https://localhost:9998', 'localhost:9998')).toBe(false);
    expect(originAllowed(undefined, 'localhost:9998')).toBe(false);
    expect(originAllowed('null', 'localhost:9998')).toBe(false);
  });

  it('names cookies by port and reads them', () => {
    expect(cookieName('localhost:9998')).toBe('pty_relay_9998');
    expect(cookieName('[::1]')).toBe('pty_relay_80');
    expect(readCookies('a=1; pty_relay_9998=v1:x; b=2', 'pty_relay_9998')).toEqual(['v1:x']);
    expect(readCookies('pty_relay_99980=v', 'pty_relay_9998')).toEqual([]);
    expect(readCookies(undefined, 'x')).toEqual([]);
  });

  it('reads every cookie of the name, so a planted one sent first hides no valid one (cookie tossing)', () => {
    // A page on another localhost port set `pty_relay_9998=x; path=/ws`: the browser sends it first.
    expect(readCookies('pty_relay_9998=x; pty_relay_9998=v1:rw::1:mac', 'pty_relay_9998')).toEqual(['x', 'v1:rw::1:mac']);
  });
});
