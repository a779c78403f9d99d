// A terminal size is capped where it enters (finding 6 of issue 20): one RESIZE or ATTACH of
// 10000x10000 used to keep ~1.2 GB of the daemon's memory for good (the screen mirror's cells).
// Through the real daemon: every frame that asks for more than MAX_TERM_DIM is refused with an
// ERROR, the session keeps its size, and the daemon's memory does not grow by hundreds of MB.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType, MAX_TERM_DIM } from '../../src/protocol/frame';
import { nc, run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { FrameClient } from '../helpers/frames';

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const HUGE = 10_000;

describe('terminal sizes are capped at the decoder', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('refuses a RESIZE of 10000x10000 and keeps the session and the memory as they were', async () => {
    const f = new FrameClient(d.port);
    f.hello();
    f.attach('big', null);
    await f.waitFrame(FrameType.SCREEN);
    // The mirror has drawn a screen: this is the daemon at rest with one session.
    expect((await nc(d.port, '#!session big\necho ready\n')).stdout).toContain('ready');
    const before = rssMb(d.proc.pid!);
    f.send({ type: FrameType.RESIZE, body: { cols: HUGE, rows: HUGE } });
    const err = await f.waitFrame(FrameType.ERROR);
    expect(err.body.code).toBe('PR_ERR_FRAME_BODY');
    expect(err.body.message).toContain(`1-${MAX_TERM_DIM}`);
    await f.closed;
    // The session still answers at its old size, and the mirror has taken no new memory.
    const out = (await nc(d.port, '#!session big\nstty size </dev/tty\n')).stdout;
    expect(out).toContain('24 80');
    expect(rssMb(d.proc.pid!) - before).toBeLessThan(200);
  });

  it('refuses an ATTACH and a REQUEST new past the cap, and accepts the cap itself', async () => {
    const a = new FrameClient(d.port);
    a.hello();
    a.send({ type: FrameType.ATTACH, body: { session: 'big2', create: true, resume: null, cols: HUGE, rows: 24, readOnly: false, clientId: 'x', inputFrom: 0 } });
    expect((await a.waitFrame(FrameType.ERROR)).body.code).toBe('PR_ERR_FRAME_BODY');
    const r = new FrameClient(d.port);
    r.hello();
    r.send({ type: FrameType.REQUEST, body: { op: 'new', session: 'big3', command: ['sleep', '100'], cols: 80, rows: HUGE } });
    expect((await r.waitFrame(FrameType.ERROR)).body.code).toBe('PR_ERR_FRAME_BODY');
    const ok = new FrameClient(d.port);
    ok.hello();
    ok.send({ type: FrameType.ATTACH, body: { session: 'edge', create: true, resume: null, cols: MAX_TERM_DIM, rows: 50, readOnly: false, clientId: 'y', inputFrom: 0 } });
    const attached = await ok.waitFrame(FrameType.ATTACHED);
    expect(attached.body.cols).toBe(MAX_TERM_DIM);
    for (const c of [a, r, ok]) c.socket.destroy();
    const ls = JSON.parse((await run([process.execPath, RELAY_BIN, 'ls', '--json', '--port', String(d.port)], '')).stdout) as Array<{ name: string }>;
    expect(ls.map((s) => s.name).sort()).toEqual(['big', 'edge']);
  });

  it('refuses a size past the cap on the command line before it reaches the daemon', async () => {
    const r = await run([process.execPath, RELAY_BIN, 'new', 'wide', '--cols', String(HUGE), '--port', String(d.port), '--', 'sleep', '100'], '');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`at most ${MAX_TERM_DIM}`);
  });
});
