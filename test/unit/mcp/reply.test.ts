import { expect, it } from 'vitest';
import { execResult } from '../../../src/mcp/reply';

const ctx = { target: 'web', session: 'default', omittedBytes: 0 };
const trailer = (status: number, reason: string, fields: Record<string, string> = {}) => ({ status, reason, fields });

it('reports a finished command with its status and cwd', () => {
  const r = execResult(ctx, trailer(2, 'exit', { cwd: '/tmp', session: 'build' }), 'ls: cannot access\n');
  expect(r.isError).toBeUndefined();
  expect(r.content[0]?.text).toBe('ls: cannot access\n[exit status 2; cwd /tmp]');
  expect(r.structuredContent).toEqual({ target: 'web', session: 'build', state: 'done', status: 2, exitStatus: 2, cwd: '/tmp', output: 'ls: cannot access\n' });
});

it('ends output without a newline on a line of its own', () => {
  expect(execResult(ctx, trailer(0, 'exit'), 'no newline').content[0]?.text).toBe('no newline\n[exit status 0]');
  expect(execResult(ctx, trailer(0, 'exit'), '').content[0]?.text).toBe('[exit status 0]');
});

it('replaces the relay\'s "still running" notice with directions to the tools', () => {
  const out = 'step-1\npty-relay: still running as job 4 in session default after 1 s; wait: printf \'#!wait 4\\n\' | nc …\n';
  const r = execResult(ctx, trailer(124, 'running', { job: '4' }), out);
  expect(r.structuredContent).toMatchObject({ state: 'running', status: 124, job: 4, output: 'step-1\n' });
  expect(r.structuredContent).not.toHaveProperty('exitStatus');
  expect(r.content[0]?.text).toMatch(/^step-1\n\[still running as job 4 in session "default"; it was not stopped\. Call wait \(job 4\)/);
});

it('reports a job waiting for input with its prompt and echo', () => {
  const out = 'pty-relay: job 2 is waiting for input (echo off); prompt: "Password: "; answer: …\n';
  const r = execResult(ctx, trailer(124, 'input', { job: '2', prompt: 'Password: ', echo: 'off' }), out);
  expect(r.structuredContent).toMatchObject({ state: 'waiting-for-input', job: 2, prompt: 'Password: ', echo: false, output: '' });
  expect(r.content[0]?.text).toBe('[job 2 in session "default" is waiting for input, echo off (a password?); prompt: "Password: ". Answer with send (end the text with \\n to press Enter), look with screen, or stop it with kill]');
});

it('keeps a "pty-relay:" line that is not the final notice', () => {
  const out = 'pty-relay: still running as job 1 (printed by the command)\nmore\n';
  expect(execResult(ctx, trailer(124, 'running', { job: '1' }), out).structuredContent?.output).toBe(out);
});

it('turns relay errors into tool errors with the relay\'s message', () => {
  const r = execResult(ctx, trailer(255, 'error'), 'pty-relay: error: invalid session name "x y"\n');
  expect(r).toEqual({ content: [{ type: 'text', text: 'pty-relay: error: invalid session name "x y"' }], isError: true });
  expect(execResult(ctx, trailer(255, 'busy'), '').content[0]?.text).toBe('pty-relay refused the request');
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
  expect(execResult(ctx, trailer(124, 'timeout'), '').structuredContent).toMatchObject({ state: 'timed-out', status: 124 });
  expect(execResult({ ...ctx, omittedBytes: 5 }, trailer(0, 'exit'), '').structuredContent).toMatchObject({ omittedBytes: 5 });
});
