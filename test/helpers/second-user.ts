// A real second local user for cross-user tests: made with useradd (a per-pid name, so parallel
// test files never share one), driven through runuser, removed with userdel.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, type ClientResult } from './clients';

export class SecondUser {
  readonly name: string;
  uid = -1;

  // `tag`: a few letters naming the test file, so that a leftover user says where it came from.
  constructor(tag: string) {
    this.name = `pr${tag}${process.pid % 100000}`;
  }

  create(): this {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', this.name]);
    this.uid = Number(execFileSync('id', ['-u', this.name], { encoding: 'utf8' }).trim());
    return this;
  }

  remove(): void {
    execFileSync('userdel', [this.name]);
  }

  // Runs `argv` as this user, with `env` only (plus PATH).
  run(argv: string[], input = '', env: Record<string, string> = {}, ms?: number): Promise<ClientResult> {
    const envArgs = Object.entries({ PATH: '/usr/bin:/bin', ...env }).map(([k, v]) => `${k}=${v}`);
    return run(['runuser', '-u', this.name, '--', 'env', '-i', ...envArgs, ...argv], input, ms);
  }

  // Synchronous form, for set-up steps.
  exec(argv: string[]): string {
    return execFileSync('runuser', ['-u', this.name, '--', ...argv], { encoding: 'utf8' });
  }

  // A directory this user owns, with `mode`.
  dir(file: string, mode: number): string {
    fs.mkdirSync(file, { recursive: true });
    fs.chownSync(file, this.uid, this.uid);
    fs.chmodSync(file, mode);
    return file;
  }

  // Compiles C `source` with gcc into `out` (a program, or a shared object with `shared`), owned by this user.
  compile(source: string, out: string, shared = false): string {
    const src = `${out}.c`;
    fs.writeFileSync(src, source);
    execFileSync('gcc', [...(shared ? ['-shared', '-fPIC'] : []), '-O2', '-o', out, src]);
    fs.chownSync(out, this.uid, this.uid);
    fs.rmSync(src);
    return path.resolve(out);
  }
}

// A user that sudo asks for its password (a login shell, a password, an entry in /etc/sudoers.d),
// with a home of its own (0700) holding `bashrc`; `remove()` takes what `create()` made away.
export class SudoUser {
  readonly name: string;
  readonly password = `pw-${crypto.randomBytes(6).toString('hex')}`;
  home = '';
  private readonly sudoers: string;

  constructor(tag: string, private readonly bashrc: string) {
    this.name = `pr${tag}${process.pid % 100000}`;
    this.sudoers = `/etc/sudoers.d/pty-relay-${this.name}`;
  }

  create(): this {
    execFileSync('useradd', ['--no-create-home', '--shell', '/bin/bash', this.name]);
    execFileSync('chpasswd', { input: `${this.name}:${this.password}\n` });
    fs.writeFileSync(this.sudoers, `Defaults:${this.name} lecture=never\n${this.name} ALL=(ALL) ALL\n`, { mode: 0o440 });
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-sudo-'));
    fs.writeFileSync(path.join(this.home, '.bashrc'), this.bashrc);
    execFileSync('chown', ['-R', this.name, this.home]);
    fs.chmodSync(this.home, 0o700);
    return this;
  }

  remove(): void {
    fs.rmSync(this.sudoers, { force: true });
    if (this.home !== '') fs.rmSync(this.home, { recursive: true, force: true });
    execFileSync('userdel', [this.name]);
  }

  // An exec request through nc as this user (its own daemon refuses root): the reply.
  async nc(port: number, text: string): Promise<string> {
    return (await run(['runuser', '-u', this.name, '--', 'nc.openbsd', '-N', '127.0.0.1', String(port)], text, 60_000)).stdout;
  }
}
