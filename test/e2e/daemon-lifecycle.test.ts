// Starting, stopping and misconfiguring the daemon.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameType } from '../../src/protocol/frame';
import { RawClient, run } from '../helpers/clients';
import { RELAY_BIN, startDaemon } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';
import { gone } from '../helpers/pids';

describe.each(['SIGTERM', 'SIGINT'] as const)('%s', (signal) => {
  it('tells clients, hangs up the shells and exits 0', async () => {
    const d = await startDaemon();
    const fifo = path.join(d.home, 'f');
    execFileSync('mkfifo', [fifo]);
    const client = new RawClient(d.port);
    client.send(`echo $$; read -r x < ${fifo}\n`);
    client.socket.end();
    const shellPid = Number(await waitFor('the shell pid', () => /^(\d+)\n/.exec(client.text())?.[1]));
    const exited = new Promise<number | null>((resolve) => d.proc.once('exit', (code) => resolve(code)));
    d.proc.kill(signal);
    expect(await within('the daemon to exit', exited, 5_000)).toBe(0);
    await within('the client to be told', client.closed, 5_000);
    expect(client.text()).toMatch(new RegExp(`^${shellPid}\\npty-relay: the daemon is shutting down \\(${signal}\\)\\n$`));
    await gone('the shell to be gone', shellPid, 5_000);
    await d.stop();
  });

  it('tells attached clients why they are being disconnected', async () => {
    const d = await startDaemon();
    const c = new FrameClient(d.port);
    c.hello();
    c.attach('watched', null);
    await c.waitFrame(FrameType.SCREEN);
    d.proc.kill(signal);
    const err = await c.waitFrame(FrameType.ERROR);
    expect(err.body).toEqual({ code: 'PR_ERR_SHUTDOWN', message: `the daemon is shutting down (${signal})` });
    await within('the client to be closed', c.closed, 5_000);
    expect(await d.stop()).toBe(0);
  });
});

it('ends a session for good when its program exits, telling attached clients the status', async () => {
  const d = await startDaemon();
  const fifo = path.join(d.home, 'gate');
  execFileSync('mkfifo', [fifo]);
  const made = await run([process.execPath, RELAY_BIN, 'new', 'oneshot', '--port', String(d.port), '--', 'bash', '--norc', '-c', `echo waiting; read -r x < ${fifo}; echo leaving; exit 5`], '');
  expect(made.code).toBe(0);
  const c = new FrameClient(d.port);
  c.hello();
  c.attach('oneshot', null, { create: false });
  const screen = await c.waitFrame(FrameType.SCREEN);
  expect(Buffer.from(screen.data).toString()).toContain('waiting');
  fs.writeFileSync(fifo, 'go\n');
  expect((await c.waitFrame(FrameType.EXIT)).body).toEqual({ status: 5, signal: 0 });
  expect(c.output(screen.offset)).toContain('leaving');
  await d.waitLog('session.exited', (l) => l.session === 'oneshot' && l.code === 5);
  const ls = await run([process.execPath, RELAY_BIN, 'ls', '--json', '--port', String(d.port)], '');
  expect(JSON.parse(ls.stdout)).toEqual([]);
  expect(await d.stop()).toBe(0);
});

it('fails clearly and exits non-zero when the port is taken', async () => {
  const d = await startDaemon();
  const r = await run([process.execPath, RELAY_BIN, 'serve', '--port', String(d.port), '--host', '127.0.0.1'], '');
  expect(r.code).toBe(255);
  expect(r.stderr).toMatch(new RegExp(`^pty-relay: port ${d.port} on 127.0.0.1 is already in use \\(another pty-relay\\?\\): stop it \\(\`systemctl --user stop pty-relay\`\\) or pick another port with -p .*\\[PR_ERR_LISTEN\\]\\n$`));
  expect(await d.stop()).toBe(0);
});

it.each([
  ['no flag', []],
  ['--allow-remote without a secret', ['--allow-remote']],
])('refuses to bind a non-loopback address with %s', async (_, extra) => {
  const r = await run([process.execPath, RELAY_BIN, 'serve', '--host', '0.0.0.0', '--port', '0', ...extra], '');
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^pty-relay: refusing to listen on 0\.0\.0\.0: binding beyond loopback needs --allow-remote and a secret/);
});

it('prints its version and useful help', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
  expect((await run([process.execPath, RELAY_BIN, '--version'], '')).stdout).toBe(`${pkg.version}\n`);
  const help = (await run([process.execPath, RELAY_BIN, 'serve', '--help'], '')).stdout;
  for (const flag of ['--host', '--port', '--shell', '--log-level', '--exec-timeout', 'PTY_RELAY_PORT']) expect(help).toContain(flag);
});

it('removes its runtime files when it stops', async () => {
  const d = await startDaemon();
  const ready = await d.waitLog('daemon.ready');
  await run(['nc.openbsd', '-N', '127.0.0.1', String(d.port)], 'true\n');
  expect(fs.existsSync(ready.runtimeDir as string)).toBe(true);
  expect(fs.statSync(ready.runtimeDir as string).mode & 0o777).toBe(0o700);
  await d.stop();
  expect(fs.existsSync(ready.runtimeDir as string)).toBe(false);
});
