// The web token file and the cookies it signs: full and watch access, forgery, expiry, rotation.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebTokens, writeToken } from '../../../../src/daemon/web/token';

const tokens = (): WebTokens => new WebTokens(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-tok-')), 'web-token'));

describe('web tokens and cookies', () => {
  it('makes a 0600 token file on first use and keeps it', () => {
    const t = tokens();
    const a = t.token();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(t.file).mode & 0o777).toBe(0o600);
    expect(new WebTokens(t.file).token()).toBe(a);
  });

  it('grants full access for the token, watch access for a watch token, nothing for anything else', () => {
    const t = tokens();
    expect(t.login({ token: t.token() })).toEqual({ readOnly: false, session: null });
    expect(t.login({ watch: t.watchToken('build'), session: 'build' })).toEqual({ readOnly: true, session: 'build' });
    expect(t.login({ watch: t.watchToken(null), session: 'build' })).toEqual({ readOnly: true, session: null });
    expect(t.login({ watch: t.watchToken('build'), session: 'other' })).toBeNull();
    expect(t.login({ watch: t.watchToken('build') })).toBeNull();
    expect(t.login({ token: t.watchToken(null) })).toBeNull();
    expect(t.login({ token: 'x' })).toBeNull();
    expect(t.login({})).toBeNull();
  });

  it('verifies its own cookies, and no forged, stale or rotated one', () => {
    const t = tokens();
    const c = t.cookie({ readOnly: true, session: 'a.b' }, 1000);
    expect(t.verifyCookie(c, 1001)).toEqual({ readOnly: true, session: 'a.b' });
    expect(t.verifyCookie(c, 1000 + 40 * 24 * 3600)).toBeNull();
    expect(t.verifyCookie(c.replace(':ro:', ':rw:'), 1001)).toBeNull();
    expect(t.verifyCookie(c.replace(':a.b:', '::'), 1001)).toBeNull();
    expect(t.verifyCookie('v1:rw::99999999999:AAAA', 1001)).toBeNull();
    expect(t.verifyCookie('garbage', 1001)).toBeNull();
    writeToken(t.file); // rotation locks every earlier cookie out
    expect(t.verifyCookie(c, 1001)).toBeNull();
  });

  it('refuses a token file others can read', () => {
    const t = tokens();
    t.token();
    fs.chmodSync(t.file, 0o644);
    expect(() => new WebTokens(t.file).token()).toThrow(/readable by others/);
  });
});
