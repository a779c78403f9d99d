// `pty-relay mcp` reached the two ways the README gives: over plain ssh to the server, where it
// finds the daemon's unix socket by itself, and as the single binary.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { connectMcp } from '../helpers/mcp';
import { Sshd } from '../helpers/sshd';

let d: TestDaemon;
let runtimeDir: string;
let sshd: Sshd;
beforeAll(async () => {
  // No TCP listener at all: only the unix socket can reach this daemon.
  d = await startDaemon({ args: ['--host', 'none'] });
  const ready = await d.waitLog('server.listening');
  expect(ready.addresses).toEqual([expect.stringMatching(/^unix:/)]);
  runtimeDir = path.dirname((ready.addresses as string[])[0]!.slice(5));
  sshd = new Sshd();
  await sshd.start();
});
afterAll(async () => {
  sshd.stop();
  expect(await d.stop()).toBe(0);
});

it('works as `ssh server pty-relay mcp`, talking to the daemon\'s unix socket', async () => {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-cfg-')); // no targets file on the "server"
  const remote = `PTY_RELAY_RUNTIME_DIR=${runtimeDir} XDG_CONFIG_HOME=${config} exec ${process.execPath} ${RELAY_BIN} mcp`;
  const m = await connectMcp('ssh', [...sshd.clientArgs(), sshd.destination, remote]);
  try {
    expect((await m.client.listTools()).tools.map((t) => t.name)).toContain('run');
    const r = await m.call('run', { command: 'cd /tmp && echo over-ssh-$((6*7))' });
    expect([r.structured?.target, r.structured?.state, r.output]).toEqual(['default', 'done', 'over-ssh-42\n']);
    expect((await m.call('run', { command: 'pwd' })).output).toBe('/tmp\n');
    const ls = await m.call('sessions');
    expect(ls.structured?.sessions as string[]).toContain('default');
    expect(m.stderr()).toMatch(/serving 1 target\(s\): default/);
  } finally {
    await m.close();
    fs.rmSync(config, { recursive: true, force: true });
  }
});

it('is part of the single binary, which serves it without loading node-pty', async () => {
  const bin = path.join(ROOT, 'dist/pty-relay');
  if (!fs.existsSync(bin)) throw new Error('dist/pty-relay is missing: run `make binary` (make test does)');
  expect((await run([bin, '--help'], '')).stdout).toMatch(/\n {2}mcp \[options\] +serve the Model Context Protocol/);
  // The binary extracts node-pty's native addon into the cache on first use of node-pty: it must
  // not. (sock_diag.node, which checks that the socket's listener is ours, is used.)
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-cache-'));
  const m = await connectMcp(bin, ['mcp', '--socket', path.join(runtimeDir, 'relay.sock')], { env: { PTY_RELAY_CACHE_DIR: cache, XDG_CACHE_HOME: cache } });
  try {
    const { tools } = await m.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['end_session', 'jobs', 'kill', 'new_session', 'output', 'run', 'screen', 'send', 'sessions', 'wait']);
    expect((await m.call('run', { command: 'echo from-the-binary' })).output).toBe('from-the-binary\n');
    expect(fs.readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('pty.node'))).toEqual([]);
  } finally {
    await m.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
