// pty-client's judgement of a silent daemon, against a real daemon, on the real event loop: a
// link is dead after three heartbeats without a frame, but only once what the daemon sent has
// been read (Node runs due timers before it reads sockets).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AttachConnection } from '../../../src/client/connection';
import type { ReconnectStatus } from '../../../src/client/status-line';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { waitFor, within } from '../../helpers/deadline';
import { holdLoop } from '../../helpers/hold-loop';

const HEARTBEAT_MS = 100;
let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ bashrc: "PS1='prompt> '\n" });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

it('does not count a daemon as gone whose output waited unread while the client was held up', async () => {
  let out = '';
  const statuses: Array<ReconnectStatus | null> = [];
  const conn = new AttachConnection({
    endpoint: { host: '127.0.0.1', port: d.port },
    secret: null,
    session: 'heartbeat',
    readOnly: false,
    heartbeatMs: HEARTBEAT_MS,
    maxAttempts: 3,
    size: () => ({ cols: 80, rows: 24 }),
    output: (data) => void (out += Buffer.from(data).toString()),
    screen: (data) => void (out += Buffer.from(data).toString()),
    repaint: () => undefined,
    status: (s) => void statuses.push(s),
  });
  const ending = conn.run();
  await waitFor('the prompt', () => (out.includes('prompt> ') ? true : undefined));
  conn.input(Buffer.from('for i in $(seq 1 400); do echo tick-$i; sleep 0.02; done\r'));
  await waitFor('the ticker', () => (out.includes('tick-2\r\n') ? true : undefined));
  // Held far past three heartbeats while the daemon's ticks wait in the socket: the next turn runs
  // the overdue heartbeat before it reads them.
  holdLoop(10 * HEARTBEAT_MS);
  const seen = out.length;
  await waitFor('output after the hold-up', () => (out.length > seen + 200 ? true : undefined));
  expect(statuses).toEqual([]); // no reconnect: the link was alive all along
  conn.input(Buffer.from('\x03'));
  conn.detach();
  expect((await within('the ending', ending, 10_000)).kind).toBe('detached');
});
