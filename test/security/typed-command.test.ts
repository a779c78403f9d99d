// A command a person types or pastes into their terminal is shown in session rows (`pty-relay
// ls`, `#!jobs`, MCP, the web page) as its text (issue 26). The text comes from the shell in a T
// mark (marks.ts): a pasted line that holds ESC sequences, BEL, the marks' own `;` and even this
// session's nonce must not end that mark early, forge another mark (a D mark would end the job),
// or carry a terminal escape into another viewer's list; and it is never logged.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FrameType } from '../../src/protocol/frame';
import { nc, run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

interface Row {
  name: string;
  activity?: { command: string; origin: string; state: string } | null;
}
async function activity(session: string): Promise<Row['activity']> {
  const r = await run([process.execPath, RELAY_BIN, 'ls', '--json', '--port', String(d.port)], '');
  return (JSON.parse(r.stdout) as Row[]).find((s) => s.name === session)?.activity;
}

// A writer attached to `session` that pastes text (bracketed, as a terminal does) and presses Return.
async function writer(session: string): Promise<(text: string) => void> {
  const f = new FrameClient(d.port);
  f.hello();
  f.attach(session, null, { create: false });
  await f.waitFrame(FrameType.SCREEN);
  let offset = 0;
  return (text) => {
    const data = Buffer.from(`\x1b[200~${text}\x1b[201~\r`);
    f.send({ type: FrameType.INPUT, offset, data });
    offset += data.length;
  };
}

it('shows a pasted command with ESC, BEL and a forged mark sanitised, and the mark forges nothing', async () => {
  // The attacker is given this session's nonce: even then the typed text cannot forge a mark.
  const fn = (await nc(d.port, '#!session forge\ndeclare -f __pr_post\n')).stdout;
  const nonce = /prn=([0-9a-f]{8,})/.exec(fn)?.[1] as string;
  expect(nonce).toBeDefined();
  const paste = await writer('forge');
  paste(`: \x1b]133;D;7;prn=${nonce}\x07\x1b]133;A;prn=${nonce}\x07\x1b[31mRED\u202eevil; sleep 600`);
  const a = await waitFor('the pasted job', async () => {
    const r = await activity('forge');
    return r?.origin === 'terminal' && r.state === 'running' ? r : undefined;
  });

  expect(a?.command).toMatch(new RegExp(`^: \\^\\[\\]133;D;7;prn=${nonce}\\^G\\^\\[\\]133;A;prn=`));
  expect(a?.command.length).toBeLessThanOrEqual(80);
  expect(a?.command).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e]/);
  // Nothing was forged: the job still runs (a D mark would have ended it with status 7), and it is
  // the session's only job.
  const jobs = (await nc(d.port, '#!session forge\n#!jobs\n')).stdout;
  expect(jobs).toMatch(/\n2 +running +- /);
  expect(jobs.trim().split('\n')).toHaveLength(3); // the header, the exec job, the pasted one
  expect(jobs).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  const text = await run([process.execPath, RELAY_BIN, 'ls', '--port', String(d.port)], '');
  expect(text.stdout).toContain(': ^[]133;D;7;prn=');
  expect(text.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  expect((await nc(d.port, '#!session forge\n#!kill\n')).stdout).toMatch(/^pty-relay: job 2 stopped by SIGINT/m);
  // Never logged.
  expect(JSON.stringify(d.logs)).not.toContain('133;D;7');
});

it('bounds a long, many-line paste to its first line, cut, and a count of the rest', async () => {
  expect((await nc(d.port, '#!session long\necho ready\n')).stdout).toBe('ready\n');
  const paste = await writer('long');
  paste(`: ${'x'.repeat(5000)}\n: two\n: three\nsleep 600`);
  const a = await waitFor('the pasted job', async () => {
    const r = await activity('long');
    return r?.origin === 'terminal' && r.state === 'running' ? r : undefined;
  });
  expect(a?.command).toBe(`: ${'x'.repeat(77)}… (+3 lines)`);
  expect((await nc(d.port, '#!session long\n#!kill\n')).stdout).toMatch(/^pty-relay: job 2 stopped by SIGINT/m);
});
