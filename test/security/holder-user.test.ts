// Session holders (holder/) against another local user: they can neither reach a holder, nor get
// one to answer, nor signal it, and a daemon never adopts a holder that runs as someone else.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { SecondUser } from '../helpers/second-user';

const other = new SecondUser('hold');
const HOLDER = path.join(ROOT, 'dist/native/pty-relay-holder');
let d: TestDaemon;
let sock = '';

beforeAll(async () => {
  other.create();
  d = await startDaemon();
  await nc(d.port, 'echo up\n');
  const inst = fs.readdirSync(d.runtime).find((f) => f.startsWith('d-')) as string;
  sock = path.join(d.runtime, inst, 'default', 'holder.sock');
  expect(fs.existsSync(sock)).toBe(true);
});
afterAll(async () => {
  await d.stop();
  other.remove();
});

// What the other user gets from connecting to `file` and reading: the first bytes, or the error.
async function probe(file: string): Promise<string> {
  const script = `import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n  s.connect(sys.argv[1]); s.settimeout(5); print('got:' + s.recv(64).decode('latin1'))\nexcept Exception as e:\n  print('error:' + type(e).__name__)\n`;
  return (await other.run(['python3', '-c', script, file])).stdout.trim();
}

describe('another local user', () => {
  it('cannot reach a holder: its directory is private', async () => {
    expect(await probe(sock)).toBe('error:PermissionError');
  });

  it('gets no hello (and so no terminal) even when it can reach the socket', async () => {
    // Open the way for the test only: the holder itself must refuse a peer of another uid.
    const dirs = [path.dirname(path.dirname(path.dirname(sock))), path.dirname(path.dirname(sock)), path.dirname(sock)];
    const modes = dirs.map((p) => fs.statSync(p).mode & 0o7777);
    const sockMode = fs.statSync(sock).mode & 0o7777;
    try {
      for (const p of dirs) fs.chmodSync(p, 0o711);
      fs.chmodSync(sock, 0o777);
      expect(await probe(sock)).toBe('got:');
    } finally {
      dirs.forEach((p, i) => fs.chmodSync(p, modes[i] as number));
      fs.chmodSync(sock, sockMode);
    }
    // The daemon's own link is untouched.
    expect((await nc(d.port, 'echo still\n')).stdout).toBe('still\n');
  });

  it('cannot signal a holder', async () => {
    const pid = fs.readdirSync('/proc').find((p) => /^\d+$/.test(p) && safeRead(`/proc/${p}/cmdline`).includes('pty-relay-holder') && safeLink(`/proc/${p}/cwd`) === path.dirname(sock));
    expect(pid).toBeDefined();
    const r = await other.run(['kill', '-HUP', pid as string]);
    expect(r.code).not.toBe(0);
    expect((await nc(d.port, 'echo alive\n')).stdout).toBe('alive\n');
  });

  it('cannot get its own holder adopted by our daemon', async () => {
    // A holder of the other user's, with its socket where our daemon looks for crashed sessions.
    const inst = path.join(d.runtime, 'd-planted');
    const sdir = path.join(inst, 'evil');
    fs.mkdirSync(sdir, { recursive: true, mode: 0o700 });
    fs.chmodSync(d.runtime, 0o711);
    fs.chmodSync(inst, 0o711);
    fs.chmodSync(sdir, 0o777);
    const h = spawn('runuser', ['-u', other.name, '--', HOLDER, 'holder.sock', '4096', '30', '80', '24', '/', '--', '/bin/sleep', '60'], { cwd: sdir, stdio: 'ignore' });
    try {
      await waitFor('the planted holder', () => (fs.existsSync(path.join(sdir, 'holder.sock')) ? true : undefined));
      fs.chmodSync(sdir, 0o700); // as a session directory of ours would be
      fs.writeFileSync(path.join(sdir, 'state.json'), '{}', { mode: 0o600 });
      const d2 = await startDaemon({ reuse: { home: d.home, runtime: d.runtime }, args: ['--no-socket'] }); // d holds relay.sock
      try {
        const lost = await d2.waitLog('session.holder_lost', (l) => l.session === 'evil');
        expect(JSON.stringify(lost.err)).toContain('another user');
        expect(d2.logs.some((l) => l.evt === 'session.recovered' && l.session === 'evil')).toBe(false);
      } finally {
        await d2.stop({ keepDirs: true });
      }
    } finally {
      // The holder runs under runuser: found by its directory, ended by its PID.
      for (const p of fs.readdirSync('/proc').filter((f) => /^\d+$/.test(f))) if (safeRead(`/proc/${p}/cmdline`).includes('pty-relay-holder') && safeLink(`/proc/${p}/cwd`) === sdir) process.kill(Number(p), 'SIGKILL');
      h.kill('SIGKILL');
      fs.chmodSync(d.runtime, 0o700);
    }
  });
});

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

function safeLink(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '';
  }
}
