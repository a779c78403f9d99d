// A real sshd on a loopback port, with keys made for the test, and `ssh -L` tunnels through it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from './deadline';

// A port that was free a moment ago (bound to 0, then released).
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

// Resolves once something accepts TCP connections on the port.
export function waitListening(port: number, ms = 10_000): Promise<true> {
  return waitFor(`port ${port} to accept connections`, () =>
    new Promise<true | undefined>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(undefined));
    }), ms);
}

export class Sshd {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-sshd-'));
  port = 0;
  private proc: ChildProcess | null = null;

  async start(): Promise<void> {
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation dir
    const key = (name: string): Buffer => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(this.dir, name)]);
    key('host_key');
    key('client_key');
    fs.copyFileSync(path.join(this.dir, 'client_key.pub'), path.join(this.dir, 'authorized_keys'));
    this.port = await freePort();
    const config = [
      `Port ${this.port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(this.dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
      `PidFile ${path.join(this.dir, 'sshd.pid')}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'LogLevel ERROR',
    ].join('\n');
    fs.writeFileSync(path.join(this.dir, 'sshd_config'), `${config}\n`);
    this.proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(this.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitListening(this.port);
  }

  // The ssh options that reach this sshd (key, port, no host-key prompts).
  clientArgs(): string[] {
    return [
      '-i', path.join(this.dir, 'client_key'),
      '-p', String(this.port),
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
      '-o', 'ExitOnForwardFailure=yes', '-o', 'LogLevel=ERROR',
    ];
  }

  get destination(): string {
    return `${os.userInfo().username}@127.0.0.1`;
  }

  // Starts `ssh -N -L local:127.0.0.1:remote` through this sshd; resolves once the local end listens.
  async tunnel(localPort: number, remotePort: number, extra: string[] = []): Promise<ChildProcess> {
    const ssh = spawn('ssh', ['-N', ...extra, '-L', `${localPort}:127.0.0.1:${remotePort}`, ...this.clientArgs(), this.destination], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitListening(localPort);
    return ssh;
  }

  stop(): void {
    this.proc?.kill('SIGTERM');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
