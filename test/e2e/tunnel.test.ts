// pty-client through a real `ssh -L` tunnel that is killed and frozen while output flows:
// it reconnects by itself, and every line arrives exactly once.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { run } from '../helpers/clients';
import { RELAY_BIN, ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { freePort, Sshd, waitListening } from '../helpers/sshd';
import { Tmux } from '../helpers/tmux';

const HEARTBEAT_MS = '400';
let d: TestDaemon;
let sshd: Sshd;
let tmux: Tmux;
const tunnels: ChildProcess[] = [];

beforeAll(async () => {
  d = await startDaemon({ bashrc: "PS1='prompt> '\n", env: { PTY_RELAY_HEARTBEAT_MS: HEARTBEAT_MS } });
  sshd = new Sshd();
  await sshd.start();
  tmux = new Tmux();
});
afterAll(async () => {
  tmux.kill();
  for (const t of tunnels) t.kill('SIGKILL');
  sshd.stop();
  expect(await d.stop()).toBe(0);
});

// Removes pty-client's status-line updates (saved cursor, last row, restore) and its repaints from a raw log.
function withoutStatus(log: string): string {
  return log
    .replace(/\x1b7(\x1b\[\d+;1H\x1b\[2K(\x1b\[7m[^\x1b]*\x1b\[0m)?)+\x1b8/g, '')
    .replace(/\x1b7\x1b\[1;1H\x1b\[0m\x1b\[2K[\s\S]*?\x1b\[0m\x1b8/g, ''); // the rows drawn again after a reconnect
}

it('survives a killed and a frozen tunnel with nothing lost and nothing repeated', async () => {
  const local = await freePort();
  const ssh = async (): Promise<ChildProcess> => {
    const t = await sshd.tunnel(local, d.port);
    tunnels.push(t);
    return t;
  };
  let tunnel = await ssh();
  tmux.start('c', [process.execPath, path.join(ROOT, 'bin/pty-client'), '--port', String(local), 'tunnel'], { PTY_RELAY_HEARTBEAT_MS: HEARTBEAT_MS });
  const log = tmux.pipeTo('c');
  const read = (): string => withoutStatus(fs.existsSync(log) ? fs.readFileSync(log, 'latin1') : '');
  await tmux.waitScreen('c', /^prompt>\s*$/m);
  tmux.type('c', 'for i in $(seq 1 4000); do echo "line-$i"; sleep 0.001; done; echo ALL-DONE-$((1+1))');
  await waitFor('output to flow', () => (/line-200\r\n/.test(read()) ? true : undefined));

  // 1. The ssh process dies mid-stream.
  tunnel.kill('SIGKILL');
  await tmux.waitScreen('c', /\[pty-client\] connection lost: [\s\S]*retrying in \d+\.\d s \(attempt \d+\)/);
  tmux.type('c', 'echo typed-while-down-$((6*7))');
  tunnel = await ssh();
  await waitFor('the client to reconnect', () => (/\[pty-client\]/.test(tmux.screen('c')) ? undefined : true), 20_000);

  // 2. The tunnel freezes (a half-open connection): the heartbeat must notice.
  const before = read().length;
  await waitFor('more output', () => (read().length > before + 2000 ? true : undefined));
  tunnel.kill('SIGSTOP');
  await tmux.waitScreen('c', /\[pty-client\] connection lost/, 10_000);
  tunnel.kill('SIGKILL');
  tunnel = await ssh();

  await waitFor('the loop to finish', () => (/ALL-DONE-2\r\n/.test(read()) ? true : undefined), 180_000);
  await waitFor('the offline input to run', () => (/typed-while-down-42\r\n/.test(read()) ? true : undefined), 20_000);
  const out = read();
  const lines = [...out.matchAll(/(?<![\w-])line-(\d+)\r\n/g)].map((m) => Number(m[1]));
  expect(lines.length).toBe(4000);
  expect(lines).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
  expect(out.match(/typed-while-down-42\r\n/g)?.length).toBe(1);
}, 240_000); // 4000 lines through two broken tunnels: minutes on a busy machine

it('`pty-relay tunnel` opens a working tunnel with a tty session, to a port or to the unix socket', async () => {
  for (const remote of ['port', 'socket'] as const) {
    const local = await freePort();
    const ready = await d.waitLog('server.listening');
    const sock = (ready.addresses as string[]).find((a) => a.startsWith('unix:'))!.slice(5);
    const target = remote === 'port' ? `localhost:${d.port}` : sock;
    const helper = spawn(process.execPath, [RELAY_BIN, 'tunnel', '--once', '--local-port', String(local), '--remote', target, sshd.destination, '--', ...sshd.clientArgs()], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    helper.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await waitListening(local);
    expect(err).toMatch(/^pty-relay tunnel: ssh -tt -o ServerAliveInterval=15 -o ServerAliveCountMax=3 -o ExitOnForwardFailure=yes -o BatchMode=yes -L 127\.0\.0\.1:\d+:\S+ /);
    const r = await run(['nc.openbsd', '-N', '127.0.0.1', String(local)], `echo through-${remote}-$((2*3))\n`);
    expect(r.stdout).toBe(`through-${remote}-6\n`);
    const exited = new Promise((res) => helper.once('exit', res));
    helper.kill('SIGTERM');
    await exited;
    // Its ssh went with it: the forwarded port is closed again.
    await waitFor('the ssh child to be gone', () => new Promise<true | undefined>((res) => {
      const s = net.connect({ host: '127.0.0.1', port: local });
      s.once('connect', () => (s.destroy(), res(undefined)));
      s.once('error', () => res(true));
    }));
  }
});
