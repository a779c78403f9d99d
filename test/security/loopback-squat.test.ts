// Finding 4 (issue 20): loopback port squatting. Another local user listens on [::1]:PORT (or
// 127.0.0.1:PORT) while our daemon is down or holds only the other loopback. Every client that
// dials a loopback port checks, before it sends a byte, that the listener runs as its own user
// (sock_diag from the server's side of the connection), and refuses otherwise; a daemon asked to
// bind one loopback holds the other too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { RELAY_BIN, startDaemon } from '../helpers/daemon';
import { connectMcp } from '../helpers/mcp';
import { addOtherUser, squat, type OtherUser, type Squatter } from '../helpers/other-user';

const SECRET = `squat-secret-${process.pid}`;
let other: OtherUser;

beforeAll(() => {
  other = addOtherUser('sq');
});
afterAll(() => other.remove());

// A pty-relay client command as this (the daemon's) user, with the secret in the environment.
function relay(args: string[], input = ''): ReturnType<typeof run> {
  return run([process.execPath, RELAY_BIN, ...args], input, 30_000, { PTY_RELAY_SECRET: SECRET });
}

const REFUSED = (where: string): RegExp => new RegExp(`refusing ${where.replace(/[[\]]/g, '\\$&')}: it is served by uid ${other.uid}, not you \\(uid ${process.getuid!()}\\); nothing was sent`);

describe.each([
  ['[::1] while our daemon is down', '::1', 'localhost'],
  ['127.0.0.1 while our daemon is down', '127.0.0.1', '127.0.0.1'],
])('another user listening on %s', (_, where, dialled) => {
  let sq: Squatter;
  let marker: string;
  beforeAll(async () => {
    sq = await squat(other, where, 0);
    marker = path.join(fs.mkdtempSync('/tmp/pty-relay-squat-'), 'ran');
  });
  afterAll(async () => {
    await sq.stop();
  });
  const at = (): string => `${where.includes(':') ? '::1' : where}:${sq.port}`;

  it('gets nothing from pty-relay exec: no secret, no command', async () => {
    const r = await relay(['exec', '--host', dialled, '-p', String(sq.port), '--', 'touch', marker]);
    expect(r.stderr).toMatch(REFUSED(at()));
    expect(r.code).toBe(255);
    expect(sq.received()).toBe(0);
  });

  // Framed clients dial the address they are given (Node resolves "localhost" by /etc/hosts).
  it('gets nothing from ls, pty-client or doctor (framed clients)', async () => {
    const ls = await relay(['ls', '--host', where, '-p', String(sq.port)]);
    expect(ls.stderr).toMatch(REFUSED(at()));
    expect(ls.code).not.toBe(0);
    const doctor = await relay(['doctor', '--client', '--host', where, '-p', String(sq.port)]);
    expect(doctor.stdout).toMatch(REFUSED(at()));
    expect(doctor.code).toBe(1);
    // pty-client needs a terminal; `script` gives it one, and it must end at once with the refusal.
    const client = await run(['script', '-qec', `${process.execPath} ${RELAY_BIN} client --host ${where} -p ${sq.port} --max-retries 1`, '/dev/null'], '', 30_000, { PTY_RELAY_SECRET: SECRET });
    expect(client.stdout).toMatch(REFUSED(at()));
    expect(sq.received()).toBe(0);
  });

  it('gets nothing from pty-relay mcp', async () => {
    const m = await connectMcp(process.execPath, [RELAY_BIN, 'mcp', '--host', dialled, '--port', String(sq.port)], { env: { PTY_RELAY_SECRET: SECRET } });
    try {
      const r = await m.call('run', { command: `touch ${marker}` });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(REFUSED(at()));
    } finally {
      await m.close();
    }
    expect(sq.received()).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('a daemon asked to bind one loopback address', () => {
  it.each([
    ['127.0.0.1', '::1'],
    ['::1', '127.0.0.1'],
  ])('--host %s also holds %s, so another user cannot listen there', async (host, otherHost) => {
    const d = await startDaemon({ args: ['--host', host] });
    try {
      const guard = await d.waitLog('server.loopback_guard');
      expect(guard).toMatchObject({ host: otherHost, port: d.port, held: true });
      await expect(squat(other, otherHost, d.port)).rejects.toThrow('squatter: EADDRINUSE');
      // The guard refuses everyone, the owner too; the daemon serves where it was asked to.
      const viaGuard = await run(['nc.openbsd', '-N', otherHost, String(d.port)], 'echo never\n');
      expect(viaGuard.stdout).toMatch(/^pty-relay: error: this daemon does not serve this address/);
      const served = await run(['nc.openbsd', '-N', host, String(d.port)], 'echo served-$((1+1))\n');
      expect(served.stdout).toBe('served-2\n');
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });

  it('says loudly when the other loopback is already taken', async () => {
    const sq = await squat(other, '::1', 0);
    try {
      const d = await startDaemon({ args: ['--host', '127.0.0.1', '--port', String(sq.port)] });
      try {
        const line = await d.waitLog('server.loopback_guard');
        expect(line).toMatchObject({ host: '::1', held: false, reason: 'EADDRINUSE', level: 'error' });
        expect(String(line.msg)).toMatch(/something else already listens on \[::1\]:\d+: clients that dial localhost may reach it/);
      } finally {
        await d.stop();
      }
    } finally {
      await sq.stop();
    }
  });
});
