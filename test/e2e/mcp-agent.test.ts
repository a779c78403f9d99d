// What an agent driving the MCP tools met in a trial, each against the real daemon through the
// SDK's own client: an argument under another name or of another type is refused, never dropped
// (a dropped `timeout` silently meant the default); a program started by new_session is driven by
// send, screen, wait and kill as the tool says; `output` cut to its limit names the byte range it
// left out and the call that fetches it; and no result carries its output twice.
import { beforeAll, expect, it } from 'vitest';
import { daemonAndMcp, type McpSession } from '../helpers/mcp';

const setup = daemonAndMcp();
let m: McpSession;
beforeAll(() => {
  m = setup.mcp();
});

it('refuses an unknown argument or one of the wrong type, naming the arguments there are, and runs nothing', async () => {
  const named = await m.call('run', { command: 'touch ran-anyway', timeout_s: 3, session: 'args' });
  expect(named.isError).toBe(true);
  expect(named.text).toMatch(/unknown argument "timeout_s": run takes command, session, target, timeout, interactive, limit, sandbox/);
  const typed = await m.call('run', { command: 'touch ran-anyway', timeout: '3', session: 'args' });
  expect(typed.isError).toBe(true);
  expect(typed.text).toMatch(/expected number, received string at timeout/);
  const wait = await m.call('wait', { job: 1, seconds: 3 });
  expect(wait.text).toMatch(/unknown argument "seconds": wait takes job, session, target, timeout, limit/);
  // Nothing ran: the session was never made.
  expect((await m.call('sessions')).structured?.sessions).not.toContain('args');
});

it('drives a program that new_session started with send, screen, wait and kill', async () => {
  const s = await m.call('new_session', { name: 'py', command: ['python3', '-q'] });
  expect(s.isError).toBe(false);
  expect(s.structured).toMatchObject({ session: 'py', job: 1 });
  expect(s.text).toMatch(/^session "py" started on target "default" \(shell pid \d+\); `python3 -q` runs in it:\n/);
  // On a loaded machine python may take longer to start than new_session waits.
  const ready = s.structured?.state === 'waiting-for-input' ? s : await m.call('wait', { session: 'py', job: 1, timeout: 30 });
  expect(ready.structured).toMatchObject({ state: 'waiting-for-input', job: 1 });
  expect(ready.text).toMatch(/Answer: send \{"session":"py","text":"…"\}/);
  const answer = await m.call('send', { session: 'py', text: 'print(6 * 7)\n' });
  expect(answer.output).toMatch(/^42$/m);
  expect(answer.structured).toMatchObject({ state: 'waiting-for-input', job: 1 });
  const screen = await m.call('screen', { session: 'py' });
  expect(screen.output).toMatch(/^>>> print\(6 \* 7\)\n42\n>>> ?$/m);
  expect(screen.structured).toMatchObject({ jobState: 'waiting-for-input', job: 1 });
  const sleeping = await m.call('send', { session: 'py', text: 'import time; time.sleep(30)\n', timeout: 1 });
  expect(sleeping.structured?.state).toBe('running');
  const k = await m.call('kill', { session: 'py', job: 1 });
  expect(k.structured).toMatchObject({ state: 'done', job: 1 });
  // The session stays, a shell again.
  expect((await m.call('run', { session: 'py', command: 'echo shell-again' })).output).toBe('shell-again\n');
});

it('says which bytes an output cut to its limit left out, and the call that fetches them', async () => {
  const lines = Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('');
  const r = await m.call('run', { command: 'seq 1 20000', session: 'big', limit: 1000 });
  const job = r.structured?.job as number;
  const o = await m.call('output', { session: 'big', job, limit: 1000 });
  const om = o.structured?.omitted as { from: number; to: number; bytes: number };
  expect(om.bytes).toBe(om.to - om.from);
  const marker = `[bytes ${om.from} to ${om.to} of job ${job}'s output left out here (the limit); fetch them with output {"job":${job},"from":${om.from},"to":${om.to},"session":"big"}]`;
  const [head, tail] = o.output.split(`\n${marker}\n`) as [string, string];
  expect(tail).toBeDefined();
  // The offsets are the job's: what the text keeps is exactly the output around the range.
  expect(head).toBe(lines.slice(0, om.from));
  expect(tail).toBe(lines.slice(om.to));
  expect(o.text.endsWith(`[bytes 0 to ${lines.length} of ${lines.length} of job ${job}'s output]`)).toBe(true);
  const part = await m.call('output', { session: 'big', job, from: om.from, to: om.from + 20 });
  expect(part.text).toBe(`${lines.slice(om.from, om.from + 20)}\n[bytes ${om.from} to ${om.from + 20} of ${lines.length} of job ${job}'s output]`);
});

it('carries each result\'s output once: in the text, with a few facts beside it', async () => {
  const r = await m.call('run', { command: 'seq 1 3000', session: 'once' });
  const structured = JSON.stringify(r.structured);
  expect(structured).not.toContain('2999');
  expect(structured.length).toBeLessThan(300);
  const { content, structuredContent } = await m.client.callTool({ name: 'screen', arguments: { session: 'once' } });
  expect(JSON.stringify(structuredContent)).not.toContain('3000');
  expect(JSON.stringify(content)).toContain('3000');
});
