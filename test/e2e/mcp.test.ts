// `pty-relay mcp` driven by the MCP SDK's own client over stdio, against real daemons: the tool
// list and its schemas, a persistent shell, exit statuses, several targets, a daemon that is down,
// the shared secret, and the session tools.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { relayMcp, type McpSession } from '../helpers/mcp';
import { freePort } from '../helpers/sshd';

const TOOLS = ['run', 'wait', 'send', 'screen', 'kill', 'jobs', 'output', 'sessions', 'new_session', 'end_session'];

const B_SECRET = 'b-secret-0123456789';
let a: TestDaemon;
let b: TestDaemon; // needs a secret
beforeAll(async () => {
  [a, b] = await Promise.all([startDaemon(), startDaemon({ env: { PTY_RELAY_SECRET: B_SECRET } })]);
});
afterAll(async () => {
  expect(await a.stop()).toBe(0);
  expect(await b.stop()).toBe(0);
});

describe('one daemon', () => {
  let m: McpSession;
  beforeAll(async () => {
    m = await relayMcp(['--port', String(a.port)]);
  });
  afterAll(async () => m.close());

  it('lists its tools with descriptions and strict input schemas', async () => {
    const { tools } = await m.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const t of tools) {
      expect(t.description?.length, t.name).toBeGreaterThan(20);
      expect(t.inputSchema.type).toBe('object');
      expect((t.inputSchema as { additionalProperties?: boolean }).additionalProperties, t.name).toBe(false);
      expect(t.outputSchema, t.name).toBeUndefined();
      expect(Object.keys(t.inputSchema.properties ?? {}), t.name).toContain('target');
    }
    const run = tools.find((t) => t.name === 'run')!;
    expect(run.inputSchema.required).toEqual(['command']);
    expect(Object.keys(run.inputSchema.properties ?? {}).sort()).toEqual(['command', 'interactive', 'limit', 'sandbox', 'session', 'target', 'timeout']);
    expect(run.annotations?.destructiveHint).toBe(true);
    const send = tools.find((t) => t.name === 'send')!;
    expect(send.inputSchema.required).toEqual(['text']);
    expect(tools.find((t) => t.name === 'screen')!.annotations?.readOnlyHint).toBe(true);
  });

  it('runs commands in one persistent shell', async () => {
    const dir = fs.mkdtempSync(path.join(a.home, 'work-'));
    const cd = await m.call('run', { command: `cd ${dir} && export GREETING=hello-$((6*7))` });
    expect(cd).toMatchObject({ isError: false, structured: { target: 'default', session: 'default', state: 'done', exitStatus: 0 } });
    expect(cd.text).toMatch(/^\[exit status 0; cwd /);
    const pwd = await m.call('run', { command: 'pwd; echo "$GREETING"' });
    expect(pwd.structured).toEqual({ target: 'default', session: 'default', state: 'done', exitStatus: 0, job: 2, cwd: dir, totalBytes: Buffer.byteLength(`${dir}\nhello-42\n`) });
    expect(pwd.text).toBe(`${dir}\nhello-42\n[exit status 0; cwd ${dir}]`);
  });

  it('reports a failing command\'s exit status as a result, not an error', async () => {
    const r = await m.call('run', { command: "ls /nonexistent-dir; bash -c 'exit 7'" });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ state: 'done', exitStatus: 7 });
    expect(r.text).toMatch(/^ls: cannot access '\/nonexistent-dir': No such file or directory\n\[exit status 7; cwd \S+\]$/);
  });

  it('keeps sessions apart and names the one it ran in', async () => {
    await m.call('run', { command: 'X=in-side', session: 'side' });
    const side = await m.call('run', { command: 'echo "x=$X"', session: 'side' });
    expect([side.structured?.session, side.output]).toEqual(['side', 'x=in-side\n']);
    const def = await m.call('run', { command: 'echo "x=$X"' });
    expect([def.structured?.session, def.output]).toEqual(['default', 'x=\n']);
  });

  it('bounds a huge reply to its head and tail', async () => {
    const r = await m.call('run', { command: 'seq 1 200000', limit: 20_000 });
    expect(r.structured?.state).toBe('done');
    const out = r.output as string;
    expect(out.startsWith('1\n2\n3\n')).toBe(true);
    expect(out.endsWith('199999\n200000\n')).toBe(true);
    expect(out).toMatch(/\n[^\n]*\b\d{6,} bytes[^\n]*\n/); // a line saying how much was left out
    expect(Buffer.byteLength(out)).toBeLessThan(64 * 1024);
  });

  it('gives a clear tool error for a bad request and keeps serving', async () => {
    const r = await m.call('run', { command: 'true', session: 'no spaces allowed' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/session/);
    expect((await m.call('run', { command: 'echo still-here' })).output).toBe('still-here\n');
  });

  it('lists, starts and ends sessions', async () => {
    const started = await m.call('new_session', { name: 'prog', command: ['cat'] });
    expect(started).toMatchObject({ isError: false, structured: { target: 'default', session: 'prog', job: 1, state: 'waiting-for-input' } });
    expect(started.structured?.pid).toBeGreaterThan(1);
    expect(started.text).toMatch(/^session "prog" started on target "default" \(shell pid \d+\); `cat` runs in it:\n/);
    const ls = await m.call('sessions');
    expect(ls.structured?.targets).toEqual(['default']);
    const names = ls.structured?.sessions as string[];
    expect(names).toEqual(expect.arrayContaining(['default', 'side', 'prog']));
    expect(ls.text).toMatch(/^target "default"\nNAME +PID +HOLDER +CLIENTS +AGE +IDLE +BYTES +STATE +COMMAND\n/);
    expect(ls.text).toMatch(/\nprog +\d+ .* NEEDS INPUT .* cat\n/);
    expect(await m.call('end_session', { name: 'prog' })).toMatchObject({ isError: false, structured: { session: 'prog', ended: true } });
    const after = await m.call('sessions');
    expect(after.structured?.sessions as string[]).not.toContain('prog');
    const again = await m.call('end_session', { name: 'prog' });
    expect(again.isError).toBe(true);
    expect(again.text).toMatch(/prog/);
  });
});

it('addresses two daemons by name in one session, from a flag and the targets file', async () => {
  const m = await relayMcp(['--target', `a=127.0.0.1:${a.port}`], {
    files: {
      '.config/pty-relay/targets': `# test targets\nb=${b.port} secret-file=~/b.secret  # the second daemon\n`,
      'b.secret': `${B_SECRET}\n`,
    },
  });
  try {
    const { tools } = await m.client.listTools();
    const run = tools.find((t) => t.name === 'run')!;
    expect((run.inputSchema.properties as Record<string, { enum?: string[] }>).target?.enum).toEqual(['a', 'b']);
    await m.call('run', { command: 'export WHO=daemon-a', target: 'a' });
    await m.call('run', { command: 'export WHO=daemon-b', target: 'b' });
    const who = async (args: Record<string, string>): Promise<unknown[]> => {
      const r = await m.call('run', { command: 'echo $WHO', ...args });
      return [r.structured?.target, r.output];
    };
    expect(await who({ target: 'b' })).toEqual(['b', 'daemon-b\n']);
    expect(await who({ target: 'a' })).toEqual(['a', 'daemon-a\n']);
    expect(await who({})).toEqual(['a', 'daemon-a\n']);
    const ls = await m.call('sessions', { target: 'b' });
    expect(ls.structured).toMatchObject({ target: 'b', targets: ['a', 'b'] });
    const unknown = await m.call('run', { command: 'true', target: 'c' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/target/);
  } finally {
    await m.close();
  }
});

it('a daemon that is down gives a clear tool error, and the server keeps serving', async () => {
  const down = await freePort();
  const m = await relayMcp(['--target', `up=127.0.0.1:${a.port}`, '--target', `down=127.0.0.1:${down}`]);
  try {
    for (const tool of ['run', 'sessions'] as const) {
      const r = await m.call(tool, { target: 'down', ...(tool === 'run' ? { command: 'true' } : {}) });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(new RegExp(`^target "down": nothing listens on 127\\.0\\.0\\.1:${down}: is the tunnel up\\? try \`pty-relay doctor\`\\. Other targets: up\\.$`));
    }
    expect((await m.call('run', { command: 'echo alive', target: 'up' })).output).toBe('alive\n');
    expect((await m.client.listTools()).tools.length).toBe(TOOLS.length);
  } finally {
    await m.close();
  }
});

it('sends the shared secret, and says so when it is missing', async () => {
  const secret = 'mcp-secret-abcdef123';
  const d = await startDaemon({ env: { PTY_RELAY_SECRET: secret } });
  try {
    const without = await relayMcp(['--port', String(d.port)]);
    const refused = await without.call('run', { command: 'echo hi' });
    await without.close();
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/authentication required/);
    const m = await relayMcp(['--port', String(d.port)], { env: { PTY_RELAY_SECRET: secret } });
    expect((await m.call('run', { command: 'echo hi' })).output).toBe('hi\n');
    expect((await m.call('sessions')).isError).toBe(false);
    await m.close();
  } finally {
    expect(await d.stop()).toBe(0);
  }
});
