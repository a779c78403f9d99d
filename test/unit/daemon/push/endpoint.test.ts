// The SSRF rule for push endpoints (src/daemon/push/endpoint.ts), as tables.
import { describe, expect, it } from 'vitest';
import { checkTestOrigin, isPublicAddress, judgeEndpoint, resolvePublic } from '../../../../src/daemon/push/endpoint';

const ok = (u: string, test: string | null = null): boolean => typeof judgeEndpoint(u, test) !== 'string';

describe('push endpoints a page may subscribe with', () => {
  it('admits the browser vendors\' push services over https', () => {
    for (const u of [
      'https://fcm.googleapis.com/fcm/send/abc:APA91b',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
      'https://web.push.apple.com/QGuQyavXutnMH',
      'https://wns2-db5p.notify.windows.com/w/?token=BQYAAA',
      'https://fcm.googleapis.com:443/x',
    ]) expect(ok(u), u).toBe(true);
  });

  it('refuses everything else: other hosts, http, ports, addresses, credentials, look-alikes', () => {
    for (const u of [
      'http://fcm.googleapis.com/fcm/send/x',
      'https://fcm.googleapis.com:8443/x',
      'https://user:pw@fcm.googleapis.com/x',
      'https://fcm.googleapis.com.evil.example/x',
      'https://evilfcm.googleapis.com/x',
      'https://notify.windows.com/x',
      'https://xnotify.windows.com/x',
      'https://localhost/x',
      'https://127.0.0.1/x',
      'https://[::1]/x',
      'https://169.254.169.254/latest/meta-data',
      'https://2130706433/x', // 127.0.0.1 as a number: the URL parser makes it an address
      'file:///etc/passwd',
      'gopher://fcm.googleapis.com/x',
      'not a url',
      `https://fcm.googleapis.com/${'a'.repeat(1024)}`,
    ]) expect(ok(u), u).toBe(false);
    expect(ok(42 as unknown as string)).toBe(false);
  });

  it('the test origin admits exactly that loopback origin', () => {
    const t = 'http://127.0.0.1:4567';
    expect(ok('http://127.0.0.1:4567/push/a', t)).toBe(true);
    expect(ok('http://127.0.0.1:4568/push/a', t)).toBe(false);
    expect(ok('http://localhost:4567/push/a', t)).toBe(false);
    expect(checkTestOrigin(t)).toBeNull();
    expect(checkTestOrigin('http://10.0.0.1:80')).not.toBeNull();
    expect(checkTestOrigin('http://127.0.0.1:4567/path')).not.toBeNull();
  });
});

describe('addresses a push may go to', () => {
  it('only public unicast', () => {
    const yes = ['142.250.74.138', '8.8.8.8', '2a00:1450:4001:80b::200a', '::ffff:8.8.8.8'];
    const no = ['127.0.0.1', '127.8.9.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2001:db8::1', 'localhost', ''];
    for (const a of yes) expect(isPublicAddress(a), a).toBe(true);
    for (const a of no) expect(isPublicAddress(a), a).toBe(false);
  });

  it('a name resolving to loopback is refused unless loopback is allowed (the test origin)', async () => {
    expect(await resolvePublic('localhost', false)).toMatch(/non-public/);
    expect(await resolvePublic('127.0.0.1', false)).toMatch(/non-public/);
    expect(await resolvePublic('127.0.0.1', true)).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await resolvePublic('10.0.0.1', true)).toMatch(/non-public/);
  });
});
