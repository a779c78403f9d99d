// The single binary upgrades itself: it relaunches process.execPath, the new process resizes the
// PTYs it adopted through the embedded native addon, and under systemd (Type=notify) each daemon
// says READY=1 and the new one MAINPID=<its pid>, through the real systemd-notify.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyBinary } from '../helpers/binary';
import { nc } from '../helpers/clients';
import { waitFor } from '../helpers/deadline';
import { Tmux } from '../helpers/tmux';
import { relayUpgrade, startLive } from '../helpers/upgrade';

let dir: string;
let bin: string;

beforeAll(() => {
  dir = copyBinary('pty-relay-upgrade-bin-');
  bin = path.join(dir, 'pty-relay');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Receives what systemd-notify sends to NOTIFY_SOCKET, as systemd would: one datagram a message;
// the fd of each BARRIER=1 is closed at once, which is what lets systemd-notify return.
const RECEIVER = `
import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("listening"), flush=True)
while True:
    msg, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(json.dumps(msg.decode()), flush=True)
`;

it('upgrades the single binary into itself, resizes adopted PTYs, and tells systemd the new main pid', async () => {
  const notifySocket = path.join(dir, 'notify.sock');
  const receiver = spawn('python3', ['-c', RECEIVER, notifySocket], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  let partial = '';
  receiver.stdout.on('data', (c: Buffer) => {
    partial += c.toString();
    for (let nl = partial.indexOf('\n'); nl !== -1; nl = partial.indexOf('\n')) {
      messages.push(JSON.parse(partial.slice(0, nl)) as string);
      partial = partial.slice(nl + 1);
    }
  });
  const tmux = new Tmux();
  let d: Awaited<ReturnType<typeof startLive>> | null = null;
  try {
    await waitFor('the notify receiver', () => (messages.includes('listening') ? true : undefined));
    d = await startLive([bin], { bashrc: "PS1='prompt> '\n", env: { NOTIFY_SOCKET: notifySocket } });
    const first = d.pid();
    await waitFor('READY=1 from the first daemon', () => (messages.includes(`READY=1\nMAINPID=${first}`) ? true : undefined));
    const shell = (await nc(d.port, 'cd /tmp; echo $$\n')).stdout;

    for (let round = 0; round < 2; round++) {
      const before = d.pid();
      const r = await relayUpgrade(d.port);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const to = (JSON.parse(r.stdout) as { to: { pid: number } }).to.pid;
      expect(to).not.toBe(before);
      // The new process is the binary itself, and systemd is told it is the main process now.
      expect(fs.readlinkSync(`/proc/${to}/exe`)).toBe(bin);
      expect(messages).toContain(`MAINPID=${to}\nREADY=1`);
      expect((await nc(d.port, 'echo $$ $PWD\n')).stdout).toBe(`${shell.trim()} /tmp\n`);
    }

    // A client attached now sets the adopted PTY's size (node-pty's native resize on an inherited fd).
    tmux.start('c', [path.join(dir, 'pty-client'), '--port', String(d.port)], { HOME: d.home }, 91, 27);
    await tmux.waitScreen('c', /^prompt> *$/m);
    tmux.type('c', 'stty size');
    await tmux.waitScreen('c', /^27 91$/m);
  } finally {
    tmux.kill();
    await d?.stop();
    receiver.kill();
  }
});
