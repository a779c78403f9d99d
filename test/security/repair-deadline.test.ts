// A session never stays `repairing` for good (finding 8 of issue 20, the daemon's end). After a job
// that took over the terminal, the daemon types a repair line at the next prompt. Input that
// reached bash before it (here a half-typed quote, as a web page's answers to terminal queries
// once were) leaves bash in a continuation line: no prompt mark ever came, `#!kill` said nothing
// runs, and every later request waited out its timeout. Now the repair has a deadline: Ctrl-C,
// then a new shell, each logged and shown to attached terminals.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FrameType } from '../../src/protocol/frame';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { FrameClient } from '../helpers/frames';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

it('recovers a repair that gets no prompt: Ctrl-C, says so, and the next request runs', async () => {
  expect((await nc(d.port, '#!session rep\necho ready\n')).stdout).toBe('ready\n');
  const f = new FrameClient(d.port);
  f.hello();
  f.attach('rep', null, { create: false });
  await f.waitFrame(FrameType.SCREEN);
  // A job that switches to the alternate screen and back (so the terminal is repaired after it)
  // and ends once a whole line of input waits on the terminal (bounded: 10 s).
  const job = nc(d.port, `#!session rep\nprintf '\\e[?1049h\\e[?1049l'; echo job-started; for i in $(seq 200); do read -t 0 </dev/tty && break; sleep 0.05; done; echo job-done\n`);
  await f.waitFrame(FrameType.OUTPUT, (o) => new TextDecoder().decode(o.data).includes('job-started'));
  // While it runs, a writer's input: an open quote, which bash reads before the repair line.
  f.send({ type: FrameType.INPUT, offset: 0, data: new TextEncoder().encode("echo 'unclosed\r") });
  expect((await job).stdout).toContain('job-done');
  const timeout = await d.waitLog('job.repair_timeout', undefined, 20_000);
  expect(timeout.action).toBe('interrupt');
  // Attached terminals are told.
  await f.waitFrame(FrameType.OUTPUT, (o) => new TextDecoder().decode(o.data).includes('sending Ctrl-C'), 20_000);
  // The shell is usable again, in the same process (Ctrl-C sufficed), and nothing ran the quote.
  const r = await nc(d.port, '#!session rep\necho after-$((1+1))\n');
  expect(r.stdout).toBe('after-2\n');
  expect(d.logs.filter((l) => l.evt === 'job.repair_timeout' && l.action === 'kill')).toEqual([]);
  f.socket.destroy();
});
