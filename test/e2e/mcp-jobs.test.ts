// The MCP tools over the daemon's jobs: a command that outlives its call and is finished with
// `wait`, a terminal prompt answered with `send`, vim seen with `screen` and ended with `kill`, a
// REPL with `interactive`, and `jobs` after all of them. The daemon's jobs work lands separately:
// run with PTY_RELAY_JOBS=1 until it has.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { relayMcp, type McpSession } from '../helpers/mcp';

describe('jobs through MCP', () => {
  let d: TestDaemon;
  let m: McpSession;
  let dir: string;
  beforeAll(async () => {
    d = await startDaemon();
    m = await relayMcp(['--port', String(d.port)]);
    dir = fs.mkdtempSync(path.join(d.home, 'jobs-'));
    expect((await m.call('run', { command: `cd ${dir} && export MARK=kept-$((6*7))` })).structured?.state).toBe('done');
  });
  afterAll(async () => {
    await m.close();
    expect(await d.stop()).toBe(0);
  });

  // The shell is still the same one: its cwd and environment are intact.
  async function expectShellIntact(): Promise<void> {
    const r = await m.call('run', { command: 'pwd; echo $MARK' });
    expect(r.structured).toMatchObject({ state: 'done', exitStatus: 0 });
    expect(r.output).toBe(`${dir}\nkept-42\n`);
  }

  it('returns "running" at the timeout, and `wait` delivers the rest and the status exactly once', async () => {
    // The command waits for a file the test creates, so the timeout surely comes first.
    const r = await m.call('run', { command: `echo first-part; while [ ! -e go ]; do sleep 0.05; done; echo second-part; (exit 3)`, timeout: 1 });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ state: 'running' });
    const job = r.structured?.job as number;
    expect(job).toBeGreaterThan(0);
    expect(r.output).toBe('first-part\n');
    expect(r.text).toMatch(new RegExp(`\\[still running as job ${job} in session "default"; it was not stopped\\. More output and its exit status: wait \\{"job":${job},"session":"default"\\}`));
    fs.writeFileSync(path.join(dir, 'go'), '');
    const w = await m.call('wait', { job, timeout: 20 });
    expect(w.structured).toMatchObject({ state: 'done', exitStatus: 3, job });
    expect(w.output).toBe('second-part\n');
    expect(w.text).toMatch(/\[exit status 3; cwd /);
    await expectShellIntact();
  });

  it('reports a prompt on /dev/tty as waiting for input, and `send` answers it', async () => {
    const r = await m.call('run', { command: 'read -p "Your name? " NAME < /dev/tty; echo "hello $NAME"', timeout: 20 });
    expect(r.structured).toMatchObject({ state: 'waiting-for-input', echo: true });
    expect(r.structured?.prompt).toMatch(/Your name\? ?$/);
    expect(r.text).toMatch(/is waiting for input; prompt: "Your name\? ?"\. Answer: send \{"session":"default","text":"…"\}/);
    const s = await m.call('send', { text: 'alice\n', timeout: 20 });
    expect(s.isError).toBe(false);
    expect(s.output).toMatch(/hello alice\n/);
    const settled = s.structured?.state === 'done' ? s : await m.call('wait', { job: r.structured?.job as number, timeout: 20 });
    expect(settled.structured).toMatchObject({ state: 'done', exitStatus: 0 });
    expect((await m.call('run', { command: 'echo "name=$NAME"' })).output).toBe('name=alice\n');
    await expectShellIntact();
  });

  it('shows vim through `screen` and ends it with `kill`, keeping the shell', async () => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'line one of the notes\n');
    const r = await m.call('run', { command: 'vim -u NONE -N notes.txt', interactive: true, timeout: 20 });
    expect(['running', 'waiting-for-input']).toContain(r.structured?.state);
    const job = r.structured?.job as number;
    expect(job).toBeGreaterThan(0);
    const s = await m.call('screen');
    expect(s.isError).toBe(false);
    expect(s.output).toMatch(/^line one of the notes$/m);
    expect(s.output).toMatch(/^~\s*$/m);
    expect(s.output).toMatch(/"notes\.txt"/);
    expect(s.structured).toMatchObject({ altScreen: true, job });
    expect(['running', 'waiting-for-input']).toContain(s.structured?.jobState);
    const k = await m.call('kill', { job });
    expect(k.isError).toBe(false);
    expect(k.structured?.state).toBe('done');
    await expectShellIntact();
  });

  it('drives a REPL started with `interactive`', async () => {
    const r = await m.call('run', { command: 'python3 -q', interactive: true, timeout: 5 });
    expect(['running', 'waiting-for-input']).toContain(r.structured?.state);
    const s = await m.call('send', { text: 'print(6 * 7)\n', timeout: 10 });
    expect(s.output).toMatch(/^42$/m);
    const q = await m.call('send', { text: '\u0004', timeout: 10 }); // Ctrl-D ends python
    const done = q.structured?.state === 'done' ? q : await m.call('wait', { job: r.structured?.job as number, timeout: 10 });
    expect(done.structured).toMatchObject({ state: 'done', exitStatus: 0 });
    await expectShellIntact();
  });

  it('lists the jobs, newest last', async () => {
    const j = await m.call('jobs');
    expect(j.isError).toBe(false);
    const text = j.output;
    expect(j.structured).toMatchObject({ session: 'default', latest: { state: 'done' } });
    const order = ['go', 'read -p', 'vim', 'python3'].map((needle) => text.indexOf(needle));
    for (const at of order) expect(at).toBeGreaterThan(-1);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });
});
