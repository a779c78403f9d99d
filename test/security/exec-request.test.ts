// Exec requests a hostile or broken client can send, end to end: a request trickled a byte at a
// time is refused at its deadline, counted from its first byte (issue 20, finding 14); text with a
// form feed, a vertical tab or a no-break space is judged (it once froze the daemon); a TLS
// handshake is refused in one line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc, RawClient, run } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';

describe('hostile exec requests', () => {
  let d: TestDaemon;
  // --handshake-timeout 1 caps the request deadline at 2 s.
  beforeAll(async () => {
    d = await startDaemon({ args: ['--handshake-timeout', '1'] });
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('refuses a request still incomplete at its deadline, however steadily it trickles', async () => {
    const file = path.join(d.home, 'trickled');
    const c = new RawClient(d.port);
    c.send(`touch ${file}; echo '`); // an open quote: incomplete until it closes
    // One byte every 200 ms (the quiet time for incomplete text is 1 s), for at most 30 s.
    let sent = 0;
    let closed = false;
    void c.closed.then(() => (closed = true));
    while (!closed && sent < 150) {
      await new Promise((r) => setTimeout(r, 200));
      if (!closed) c.send('a');
      sent++;
    }
    await c.closed;
    expect(c.text()).toBe('pty-relay: error: the request was still incomplete 2 s after its first byte; a request must arrive whole within 2 s\n');
    expect(sent).toBeLessThan(150); // the daemon ended it, not the trickle running out
    expect(fs.existsSync(file)).toBe(false);
    await d.waitLog('exec.refused', (l) => l.reason === 'deadline');
  });

  it.each([
    ['a form feed', '\f'],
    ['a vertical tab', '\v'],
    ['a no-break space', '\u00a0'],
  ])('answers a request holding %s, and keeps serving', async (_, ch) => {
    // nc.openbsd sends no EOF: the daemon must judge the text complete by itself.
    // Outside quotes, where the scanner splits words.
    const r = await run(['nc.openbsd', '127.0.0.1', String(d.port)], `: x${ch}y; echo ok\n`, 20_000);
    expect(r.stdout).toBe('ok\n');
    expect((await nc(d.port, 'echo still here\n')).stdout).toBe('still here\n');
  });

  it('refuses a TLS handshake in one line', async () => {
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03]);
    const c = new RawClient(d.port);
    c.socket.write(hello);
    await c.closed;
    expect(c.text()).toBe('pty-relay: error: TLS refused; this port speaks plain shell text (http:// with --web), not https://\n');
  });

  it('still runs shell text that only looks a little like HTTP', async () => {
    expect((await nc(d.port, 'GET=1 env | grep ^GET=\n')).stdout).toBe('GET=1\n');
    expect((await nc(d.port, ' echo POST /x\n')).stdout).toBe('POST /x\n');
  });
});
