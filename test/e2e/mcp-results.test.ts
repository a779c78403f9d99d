// What each MCP tool's structured result says, against the real daemon: `screen`, `jobs` and
// `output` describe what they return (no borrowed exit status) and never repeat the text, the
// left-out notice names the `output` tool, read-only tools start no session, a busy session refuses
// `run` at once saying what it runs (every call it names pastes as it is), `kill` returns the
// job's unseen output, `send` that ends a job says so, and `tools/list` stays small.
import { beforeAll, expect, it } from 'vitest';
import { daemonAndMcp, type McpSession } from '../helpers/mcp';

const setup = daemonAndMcp();
let m: McpSession;
beforeAll(() => {
  m = setup.mcp();
});

const sessionNames = async (): Promise<string[]> => (await m.call('sessions')).structured?.sessions as string[];

it('keeps tools/list small', async () => {
  const list = await m.client.listTools();
  // 25,754 bytes two rounds ago, 16,788 before this change (an output schema per tool, prose
  // repeated across tools).
  expect(JSON.stringify(list).length).toBeLessThan(8_000);
});

it('read-only tools do not start a session for a name that has none', async () => {
  expect((await m.call('run', { command: 'true', session: 'real' })).structured?.state).toBe('done');
  for (const tool of ['screen', 'jobs', 'wait', 'output', 'kill', 'send']) {
    const args = { session: 'raal', ...(tool === 'output' ? { job: 1 } : {}), ...(tool === 'send' ? { text: 'x' } : {}) };
    const r = await m.call(tool, args);
    expect(r.isError, tool).toBe(true);
    expect(r.text, tool).toMatch(/no session "raal" \(sessions: .*real.*\); run with this session name starts one/);
  }
  expect(await sessionNames()).not.toContain('raal');
});

it('screen says what runs, with its own facts; jobs and output claim no exit status they lack', async () => {
  const r = await m.call('run', { command: 'echo started; (exit 1); while [ ! -e /dev/null-never ]; do sleep 0.05; done', session: 'sc', timeout: 0.5 });
  expect(r.structured).toMatchObject({ state: 'running' });
  const job = r.structured?.job as number;
  const s = await m.call('screen', { session: 'sc' });
  expect(s.structured).toMatchObject({ session: 'sc', jobState: 'running', job, altScreen: false });
  expect(s.structured).not.toHaveProperty('exitStatus');
  expect(s.structured).not.toHaveProperty('screen');
  expect(s.output).toMatch(/^started$/m);
  expect(s.text).toMatch(new RegExp(`\\[screen \\d+x\\d+, cursor at row \\d+ column \\d+; job ${job} is running\\]$`));
  const k = await m.call('kill', { session: 'sc' });
  expect(k.structured).toMatchObject({ state: 'done', job });
  const f = await m.call('run', { command: 'echo failing; exit 1', session: 'sc' });
  expect(f.structured).toMatchObject({ state: 'done', exitStatus: 1 });
  const o = await m.call('output', { session: 'sc', job: f.structured?.job as number });
  expect(o.structured).toEqual({ target: 'default', session: 'sc', job: f.structured?.job, from: 0, to: 8, totalBytes: 8 });
  expect(o.text).toBe(`failing\n[bytes 0 to 8 of 8 of job ${f.structured?.job}'s output]`);
  expect(o.text).not.toMatch(/exit status/);
  const j = await m.call('jobs', { session: 'sc', limit: 1 });
  expect(j.structured).toEqual({ target: 'default', session: 'sc', shown: 1, older: 1, latest: { job: f.structured?.job, state: 'done', exitStatus: 1 } });
  expect(j.text).toMatch(/^JOB +STATE/);
  expect(j.text).toContain("echo failing; exit 1\n");
  expect(j.text).toMatch(/\[1 older job\(s\) not shown: jobs \{"limit":2,"session":"sc"\}\]$/);
});

it('names the output tool, its arguments and the total size where output was left out', async () => {
  const r = await m.call('run', { command: 'seq 1 20000', limit: 1000 });
  const job = r.structured?.job as number;
  expect(r.structured).toMatchObject({ state: 'done', exitStatus: 0, totalBytes: 108894 });
  const om = r.structured?.omitted as { job: number; from: number; to: number; bytes: number };
  expect(om).toMatchObject({ job, from: 500, bytes: om.to - 500 });
  expect(r.text).toContain(`[${om.bytes} bytes left out here (bytes 500 to ${om.to} of 108894 of job ${job}'s output); fetch them with output {"job":${job},"from":500,"to":${om.to},"session":"default"}]`);
  expect(r.text).not.toMatch(/nc |printf|#!/);
  const o = await m.call('output', { job, from: om.from, to: om.from + 12 });
  expect(o.structured).toMatchObject({ from: 500, to: 512, totalBytes: 108894 });
  expect(o.output.length).toBe(12);
});

it('refuses run at once in a busy session, saying what its job does', async () => {
  const r = await m.call('run', { command: 'read -s -p "Secret: " S < /dev/tty; echo got-it', session: 'busy', timeout: 20 });
  expect(r.structured).toMatchObject({ state: 'waiting-for-input', echo: false });
  const job = r.structured?.job as number;
  const b = await m.call('run', { command: 'echo never', session: 'busy', timeout: 20 });
  expect(b.isError).toBe(true);
  expect(b.structured).toMatchObject({ state: 'busy', busy: { job, state: 'waiting-for-input' } });
  expect((b.structured?.busy as { command: string }).command).toMatch(/read -s -p/);
  // Each call it names pastes as it is, session included (wait {"job":1} alone went to "default").
  expect(b.text).toMatch(new RegExp(`^\\[not run: session "busy" is busy with job ${job} \\(.*read -s.*, \\d+ s\\) waiting for input at "Secret: ?"\\. Let it finish: wait \\{"job":${job},"session":"busy"\\}; answer it: send \\{"session":"busy","text":"…"\\}; stop it: kill \\{"job":${job},"session":"busy"\\}; see it: screen \\{"session":"busy"\\}; or run this with another session name\\]$`));
  // The send that ends the job says so, with its status.
  const s = await m.call('send', { text: 'pw\n', session: 'busy', timeout: 20 });
  const settled = s.structured?.state === 'done' ? s : await m.call('wait', { session: 'busy', job, timeout: 20 });
  expect(settled.structured).toMatchObject({ state: 'done', exitStatus: 0, job });
  if (s.structured?.state === 'done') expect(s.text).toMatch(new RegExp(`\\[job ${job} ended: exit status 0; cwd `));
  expect((await m.call('jobs', { session: 'busy' })).text).not.toMatch(/echo never/);
});

it('kill returns what the job printed since the last result, and how it ended', async () => {
  const r = await m.call('run', { command: `bash -c 'echo one; trap "echo cleaning-up; exit 3" INT; while :; do sleep 0.05; done'`, session: 'k', timeout: 0.5 });
  expect(r.structured).toMatchObject({ state: 'running' });
  expect(r.output).toBe('one\n');
  const k = await m.call('kill', { session: 'k' });
  expect(k.isError).toBe(false);
  expect(k.structured).toMatchObject({ state: 'done', exitStatus: 3, job: r.structured?.job });
  expect(k.output).toMatch(/cleaning-up\n/);
  expect(k.output).not.toMatch(/one/);
  expect(k.text).toMatch(new RegExp(`\\[job ${r.structured?.job} stopped by SIGINT: exit status 3; cwd `));
});

it('words daemon errors with tools', async () => {
  const w = await m.call('wait', { job: 999 });
  expect(w).toMatchObject({ isError: true });
  expect(w.text).toMatch(/no job 999 in session "default" \(see the jobs tool\)/);
  const s = await m.call('send', { text: 'x' });
  expect(s.text).toMatch(/nothing is running in session "default" to type into; start a command with run instead/);
});
