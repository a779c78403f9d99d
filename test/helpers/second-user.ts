// A real second local user for cross-user tests: made with useradd (a per-pid name, so parallel
// test files never share one), driven through runuser, removed with userdel.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
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
