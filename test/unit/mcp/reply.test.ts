import { expect, it } from 'vitest';
import { execResult } from '../../../src/mcp/reply';

const ctx = { target: 'web', session: 'default', omittedBytes: 0 };
const trailer = (status: number, reason: string, fields: Record<string, string> = {}) => ({ status, reason, fields });

it('reports a finished command with its status and cwd', () => {
  const r = execResult(ctx, trailer(2, 'exit', { cwd: '/tmp', session: 'build' }), 'ls: cannot access\n');
  expect(r.isError).toBeUndefined();
  expect(r.content[0]?.text).toBe('ls: cannot access\n[exit status 2; cwd /tmp]');
  // The output is in the text only: the structured facts never repeat it.
  expect(r.structuredContent).toEqual({ target: 'web', session: 'build', state: 'done', exitStatus: 2, cwd: '/tmp' });
});

it('ends output without a newline on a line of its own', () => {
  expect(execResult(ctx, trailer(0, 'exit'), 'no newline').content[0]?.text).toBe('no newline\n[exit status 0]');
  expect(execResult(ctx, trailer(0, 'exit'), '').content[0]?.text).toBe('[exit status 0]');
});

it('replaces the relay\'s "still running" notice with directions to the tools', () => {
  const out = 'step-1\npty-relay: still running as job 4 in session default after 1 s; wait: printf \'#!wait 4\\n\' | nc …\n';
  const r = execResult(ctx, trailer(124, 'running', { job: '4' }), out);
  expect(r.structuredContent).toMatchObject({ state: 'running', job: 4 });
  expect(r.structuredContent).not.toHaveProperty('exitStatus');
  expect(r.structuredContent).not.toHaveProperty('status');
  expect(r.content[0]?.text).toBe('step-1\n[still running as job 4 in session "default"; it was not stopped. More output and its exit status: wait {"job":4,"session":"default"}; see it: screen {"session":"default"}; type: send {"session":"default","text":"…"}; stop it: kill {"job":4,"session":"default"}]');
});

it('reports a job waiting for input with its prompt and echo', () => {
  const out = 'pty-relay: job 2 is waiting for input (echo off); prompt: "Password: "; answer: …\n';
  const r = execResult(ctx, trailer(124, 'input', { job: '2', prompt: 'Password: ', echo: 'off' }), out);
  expect(r.structuredContent).toMatchObject({ state: 'waiting-for-input', job: 2, prompt: 'Password: ', echo: false });
  expect(r.content[0]?.text).toBe('[job 2 in session "default" is waiting for input with echo off (a password prompt); prompt: "Password: ". Answer: send {"session":"default","text":"…"} ("\\n" is Enter); see it: screen {"session":"default"}; stop it: kill {"job":2,"session":"default"}]');
});

it('keeps a "pty-relay:" line that is not the final notice', () => {
  const out = 'pty-relay: still running as job 1 (printed by the command)\nmore\n';
  expect(execResult(ctx, trailer(124, 'running', { job: '1' }), out).content[0]?.text).toMatch(/^pty-relay: still running as job 1 \(printed by the command\)\nmore\n\[still running as job 1/);
});

it('turns relay errors into tool errors with the relay\'s message', () => {
  const r = execResult(ctx, trailer(255, 'error'), 'pty-relay: error: invalid session name "x y"\n');
  expect(r).toEqual({ content: [{ type: 'text', text: 'pty-relay: error: invalid session name "x y"' }], isError: true });
  expect(execResult(ctx, trailer(9, 'mystery'), 'x\n').content[0]?.text).toBe('x (reason "mystery", status 9)');
});

it('says when the connection closed before the trailer', () => {
  const r = execResult(ctx, null, 'partial');
  expect(r.isError).toBe(true);
  expect(r.content[0]?.text).toMatch(/^partial\npty-relay closed the connection before the reply ended/);
  expect(execResult(ctx, null, 'pty-relay: error: unknown directive "#!wait" (known: …)\n').content[0]?.text).toBe('pty-relay: error: unknown directive "#!wait" (known: …)');
});

it('reports a shell that exited, a timeout and bytes left out', () => {
  expect(execResult(ctx, trailer(1, 'shell-exit'), '').structuredContent).toMatchObject({ state: 'shell-exited', exitStatus: 1 });
  expect(execResult(ctx, trailer(124, 'timeout'), 'pty-relay: timed out after 1 s waiting for session "default"; the request was not run\n')).toMatchObject({ isError: true, structuredContent: { state: 'not-run' } });
  expect(execResult({ ...ctx, omittedBytes: 5 }, trailer(0, 'exit'), '').structuredContent).toMatchObject({ omitted: { bytes: 5 } });
});

it('names tools, not directives, in the relay\'s lines, and leaves the command\'s own lines alone', () => {
  const r = execResult(ctx, trailer(255, 'error'), 'pty-relay: error: no job 9 in session "default" (see #!jobs)\n');
  expect(r.content[0]?.text).toBe('pty-relay: error: no job 9 in session "default" (see the jobs tool)');
  const old = execResult(ctx, trailer(255, 'error'), 'pty-relay: error: x; stop: printf \'#!session b\\n#!kill 3\\n\' | nc -N localhost 9998\n');
  expect(old.content[0]?.text).toBe('pty-relay: error: x; stop: kill {"job":3,"session":"default"}');
  const own = execResult(ctx, trailer(0, 'exit'), 'see #!jobs\n');
  expect(own.content[0]?.text).toBe('see #!jobs\n[exit status 0]');
  // A call on a target that is not the default one names it too.
  const other = execResult({ ...ctx, session: 'b', targetArg: 'web' }, trailer(124, 'running', { job: '2' }), '');
  expect(other.content[0]?.text).toContain('wait {"job":2,"session":"b","target":"web"}');
});

it('turns the left-out notice into the output tool\'s arguments, with the total size', () => {
  const out = 'head\npty-relay: 900 bytes left out (offsets 10 to 910 of job 46\'s output); fetch any range: #!output 46 10 910\ntail\n';
  const r = execResult(ctx, trailer(0, 'exit', { job: '46', bytes: '915' }), out);
  expect(r.structuredContent).toMatchObject({ totalBytes: 915, omitted: { job: 46, from: 10, to: 910, bytes: 900 } });
  expect(r.content[0]?.text).toBe('head\n[900 bytes left out here (bytes 10 to 910 of 915 of job 46\'s output); fetch them with output {"job":46,"from":10,"to":910,"session":"default"}]\ntail\n[exit status 0]');
});

it('reports a busy session with what its job does, as a refusal', () => {
  const since = new Date(Date.now() - 12_000).toISOString();
  const out = 'pty-relay: session "default" is busy running job 3: `make` since x (12 s); wait: #!wait 3\n';
  const r = execResult(ctx, trailer(255, 'busy', { job: '3', session: 'default', state: 'input', since, command: 'job 3: `make`', prompt: 'Password: ' }), out);
  expect(r.isError).toBe(true);
  expect(r.structuredContent).toMatchObject({ state: 'busy', busy: { job: 3, state: 'waiting-for-input', prompt: 'Password: ' } });
  expect(r.content[0]?.text).toMatch(/^\[not run: session "default" is busy with job 3 .* waiting for input at "Password: "\. Let it finish: wait \{"job":3,"session":"default"\}; answer it: send \{"session":"default","text":"…"\}; stop it: kill \{"job":3,"session":"default"\}/);
});
