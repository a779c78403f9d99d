// The agent contract through the MCP tools, second round (issue 22): a program that met the empty
// stdin of a command says so and names `interactive: true`; a timeout longer than one call may
// wait returns "running" before the client gives up, saying so; `wait` on a job that is over and
// was shown names it and the `output` call; a busy session whose job waits for input names the
// ways out that work (not `wait`); a mistyped session is named in read-only tools too. Each against
// the real daemon through the SDK's own client.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { relayMcp, type McpSession } from '../helpers/mcp';

let d: TestDaemon;
let m: McpSession; // --max-wait 2: a cut wait without waiting 50 s
let plain: McpSession; // the default cap
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-mcp-silent-'));

beforeAll(async () => {
  d = await startDaemon();
  m = await relayMcp(['--port', String(d.port), '--max-wait', '2']);
  plain = await relayMcp(['--port', String(d.port)]);
});
afterAll(async () => {
  await m?.close();
  await plain?.close();
  expect(await d?.stop()).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

it('says that a REPL or a `read` met an empty stdin, naming `interactive: true`', async () => {
  const py = await plain.call('run', { command: 'python3', session: 'repl' });
  expect(py.structured).toMatchObject({ state: 'done', exitStatus: 0 });
  expect(py.text).toMatch(/`python3` ended at once: a command's stdin is empty \(\/dev\/null\); for a REPL, a prompt or top, run it with `interactive: true`/);
  const read = await plain.call('run', { command: 'read -p "Continue? " a; echo got=$a', session: 'repl' });
  expect(read.text).toMatch(/^got=\n/);
  expect(read.text).toMatch(/got nothing: a command's stdin is empty .*run it with `interactive: true` .*and the answer with send/);
  for (const r of [py, read]) expect(r.text).not.toMatch(/#!/);
  // An ordinary command says nothing of the kind.
  expect((await plain.call('run', { command: 'echo plain', session: 'repl' })).text).not.toMatch(/stdin/);
});

it('returns "running" within its cap when asked to wait longer, saying so, and wait goes on', async () => {
  const fifo = path.join(dir, 'release');
  fs.rmSync(fifo, { force: true });
  execFileSync('mkfifo', [fifo]);
  const r = await m.call('run', { command: `cat ${fifo}; echo long-done`, session: 'long', timeout: 200 });
  expect(r.structured).toMatchObject({ state: 'running' });
  const job = r.structured?.job as number;
  expect(r.text).toMatch(new RegExp(`^\\[still running as job ${job} \\(running for \\d+ s\\) in session "long"; it was not stopped; this call returned after 2 s, the most one call waits \\(MCP clients give up on a call after 60 s\\), not the 200 s asked: call wait to go on waiting\\. More output and its exit status: wait \\{"job":${job},"session":"long"\\}`));
  await fs.promises.writeFile(fifo, 'released\n');
  let w = await m.call('wait', { job, session: 'long', timeout: 2 });
  for (let i = 0; i < 20 && w.structured?.state === 'running'; i++) w = await m.call('wait', { job, session: 'long', timeout: 2 });
  expect(w.structured).toMatchObject({ state: 'done', exitStatus: 0, job });
  expect(w.output).toMatch(/released\nlong-done\n/);
  // The default cap, and where a model reads it.
  const { tools } = await plain.client.listTools();
  const run = tools.find((t) => t.name === 'run');
  expect(run?.description).toMatch(/at most 50 s/);
  expect(JSON.stringify(run?.inputSchema)).toMatch(/at most 50: then call wait/);
});

it('wait on a job that is over and was shown names it, how it ended and the output call', async () => {
  const r = await plain.call('run', { command: 'echo built; false', session: 'mcp-build' });
  expect(r.structured).toMatchObject({ state: 'done', exitStatus: 1 });
  const job = r.structured?.job as number;
  const w = await plain.call('wait', { session: 'mcp-build' });
  expect(w.structured).toMatchObject({ state: 'done', exitStatus: 1, job, session: 'mcp-build' });
  expect(w.text).toMatch(new RegExp(`^pty-relay: job ${job} \\(\`echo built; false\`\\) in session mcp-build ended [\\d.]+ s ago with exit status 1; all 6 bytes of its output were delivered before; again: output \\{"job":${job},"session":"mcp-build"\\}\\n\\[exit status 1\\]$`));
});

it('a session busy with a program waiting for input: answer, look or stop, not wait', async () => {
  const r = await plain.call('run', { command: 'read -p "Name: " x; echo hi-$x', session: 'asking', interactive: true, timeout: 2 });
  const ready = r.structured?.state === 'waiting-for-input' ? r : await plain.call('wait', { session: 'asking', timeout: 2 });
  expect(ready.structured).toMatchObject({ state: 'waiting-for-input' });
  const job = ready.structured?.job as number;
  const b = await plain.call('run', { command: 'git status', session: 'asking' });
  expect(b.structured).toMatchObject({ state: 'busy', busy: { job, state: 'waiting-for-input' } });
  expect(b.text).toMatch(new RegExp(`waiting for input at "Name: ?"; it will not finish by itself\\. Answer it: send \\{"session":"asking","text":"…"\\}; see it: screen \\{"session":"asking"\\}; stop it: kill \\{"job":${job},"session":"asking"\\}`));
  expect(b.text).not.toMatch(/wait \{/);
  const s = await plain.call('send', { session: 'asking', text: 'bo\n' });
  const done = s.structured?.state === 'done' ? s : await plain.call('wait', { session: 'asking', job, timeout: 2 });
  expect(done.structured).toMatchObject({ state: 'done', exitStatus: 0 });
});

it('a mistyped session in screen or wait: did you mean, and nothing is started', async () => {
  expect((await plain.call('run', { command: 'true', session: 'builder' })).structured).toMatchObject({ state: 'done' });
  for (const tool of ['screen', 'wait', 'jobs']) {
    const r = await plain.call(tool, { session: 'buidler' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/no session "buidler" \(did you mean "builder"\?; sessions: .*builder.*\); run with this session name starts one/);
  }
  expect((await plain.call('sessions')).structured?.sessions).not.toContain('buidler');
});
