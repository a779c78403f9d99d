// Every limit answers with a clear error, and the rate limits hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType } from '../../src/protocol/frame';
import { execOverSocket, nc, RawClient, run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';

describe('configured limits', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({
      args: ['--max-sessions', '2', '--max-clients', '1', '--handshake-timeout', '0.3', '--max-request-bytes', '2k', '--session-idle-timeout', '0.4'],
    });
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('refuses a session past --max-sessions', async () => {
    const f = new FrameClient(d.port);
    f.hello();
    f.attach('keep-a', null);
    await f.waitFrame(FrameType.SCREEN); // attached: never idle
    const g = new FrameClient(d.port);
    g.hello();
    g.attach('keep-b', null);
    await g.waitFrame(FrameType.SCREEN);
    expect((await nc(d.port, '#!session third\necho x\n')).stdout).toBe('pty-relay: error: too many sessions (2, see --max-sessions); end one with: pty-relay kill NAME\n');
    f.socket.destroy();
    g.socket.destroy();
  });

  it('refuses a client past --max-clients', async () => {
    await waitFor('idle sessions to be swept', async () => {
      const ls = await run([process.execPath, RELAY_BIN, 'ls', '--json', '--port', String(d.port)], '');
      return (JSON.parse(ls.stdout) as unknown[]).length === 0 ? true : undefined;
    });
    const a = new FrameClient(d.port);
    a.hello();
    a.attach('solo', null);
    await a.waitFrame(FrameType.SCREEN);
    const b = new FrameClient(d.port);
    b.hello();
    b.attach('solo', null);
    await within('the second client to be refused', b.closed, 10_000);
    expect(b.frames.find((f) => f.type === FrameType.ERROR)).toMatchObject({ body: { code: 'PR_ERR_LIMIT', message: 'session "solo" already has 1 clients attached (--max-clients)' } });
    a.socket.destroy();
  });

  it('ends sessions idle past --session-idle-timeout', async () => {
    await nc(d.port, '#!session sleepy\ntrue\n');
    await d.waitLog('session.idle_timeout', (l) => l.session === 'sleepy');
    const ls = await run([process.execPath, RELAY_BIN, 'ls', '--port', String(d.port)], '');
    expect(ls.stdout).not.toMatch(/\nsleepy /);
  });

  it('closes a connection that sends nothing within --handshake-timeout', async () => {
    const c = new RawClient(d.port);
    await within('the silent client to be closed', c.closed, 10_000);
    expect(c.text()).toBe('pty-relay: error: no request received within 0.3 s\n');
  });

  it('refuses a request larger than --max-request-bytes', async () => {
    const r = await nc(d.port, `echo ${'x'.repeat(3000)}\n`);
    expect(r.stdout).toBe('pty-relay: error: request is larger than 2048 bytes (see --max-request-bytes)\n');
  });
});

describe('rate limits', () => {
  it('caps new connections per second with a clear refusal', async () => {
    const d = await startDaemon({ args: ['--connection-rate', '5'] });
    // Bursts of twelve connections from this process, until one is refused: on a busy machine the
    // daemon may take the first burst slowly enough for the bucket to refill (bounded: ten bursts).
    const refusal = 'pty-relay: error: too many new connections (limit 5/s); try again shortly\n';
    const started = Date.now();
    let refused = 0;
    let served = 0;
    for (let burst = 0; burst < 10 && refused === 0; burst++) {
      for (const stdout of await Promise.all(Array.from({ length: 12 }, () => execOverSocket(d.port, 'true\n')))) {
        if (stdout === refusal) refused++;
        else {
          expect(stdout).toBe('');
          served++;
        }
      }
    }
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(served).toBeGreaterThanOrEqual(5);
    // The bucket: 5 at once, then 5 a second (the time is measured around the daemon's accepts).
    expect(served).toBeLessThanOrEqual(5 + Math.ceil((5 * (Date.now() - started)) / 1000));
    await d.waitLog('conn.refused', (l) => l.reason === 'rate');
    expect(await d.stop()).toBe(0);
  });

  it('slows a session whose output exceeds --output-rate, losing nothing', async () => {
    const d = await startDaemon({ args: ['--output-rate', '200k'] });
    const started = Date.now();
    const r = await nc(d.port, '#!limit 0\nhead -c 800000 /dev/zero | tr "\\0" x; echo\n', 60_000);
    // 800 kB at 200 kB/s after a 200 kB burst cannot take less than 3 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(r.stdout).toBe(`${'x'.repeat(800_000)}\n`);
    expect(await d.stop()).toBe(0);
  });

  it('slows a connection whose input exceeds --input-rate, losing nothing', async () => {
    const d = await startDaemon({ args: ['--input-rate', '20k', '--max-request-bytes', '1M'] });
    const started = Date.now();
    const filler = `# ${'y'.repeat(98)}\n`.repeat(600); // 60 kB of comments
    const r = await nc(d.port, `${filler}echo input-ok\n`, 60_000);
    // 60 kB at 20 kB/s after a 20 kB burst cannot take less than 2 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(r.stdout).toBe('input-ok\n');
    expect(await d.stop()).toBe(0);
  });

  it('leaves normal use alone by default', async () => {
    const d = await startDaemon();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => nc(d.port, `#!session s${i % 10}\necho ok-${i}\n`)));
    results.forEach((r, i) => expect(r.stdout).toBe(`ok-${i}\n`));
    expect(await d.stop()).toBe(0);
  });
});
