// The npm package as a laptop gets it: `npm pack` of this checkout, installed into an empty prefix
// from a PATH with no compiler and no python3; and a preload that makes node-pty and every native
// addon unloadable while noting each attempt, for commands that must never load them.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './daemon';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Runs `cmd args` in `cwd` with exactly `env`; kills it (by PID) after `ms` and rejects with `why`.
export function runIn(cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; ms: number; why: string }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${o.ms} ms: ${o.why}\n${stderr.slice(-2000)}`));
    }, o.ms);
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('error', (err) => (clearTimeout(timer), reject(err)));
    p.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

// Programs a laptop has that the client commands use (nc for doctor, ssh for tunnel, stty for
// pty-client), plus node, npm and sh. Nothing that compiles: no cc, c++, make, python3.
const TOOLS = ['node', 'npm', 'sh', 'env', 'nc', 'ssh', 'stty'];
export const COMPILERS = ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python3', 'python', 'node-gyp'];

// Where `name` is on this machine's PATH (symlinks resolved), or null.
function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const f = path.join(dir, name);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return fs.realpathSync(f);
    } catch {
      // not here
    }
  }
  return null;
}

// A directory of links to TOOLS only: the whole PATH of the laptop in these tests.
export function barePath(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const t of TOOLS) {
    const real = t === 'node' ? process.execPath : which(t);
    if (real === null) throw new Error(`this machine has no ${t}, which the test's laptop needs`);
    fs.symlinkSync(real, path.join(dir, t));
  }
  return dir;
}

export interface Packed {
  tarball: string;
  size: number; // bytes of the .tgz
  unpackedSize: number;
  files: { path: string; size: number }[];
}

// `npm pack` of this checkout (its dist/ as `make build` left it; --ignore-scripts: the prepack
// build must not rewrite dist/ under the other tests).
export async function pack(dest: string): Promise<Packed> {
  const r = await runIn('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: ROOT, env: process.env, ms: 60_000, why: 'npm pack hung' });
  if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as [{ filename: string; size: number; unpackedSize: number; files: { path: string; size: number }[] }];
  return { tarball: path.join(dest, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.files };
}

// `npm install --global` of the tarball into `prefix`, with PATH = `bin` only. The registry is
// asked only for node-pty's metadata and tarball (the optional dependency), the local npm cache
// first; with no registry and no cache it fails within the deadline, saying so.
export async function install(tarball: string, prefix: string, bin: string, extra: string[]): Promise<Ran> {
  const args = ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--fetch-retries=0', '--fetch-timeout=30000', ...extra, tarball];
  const env = { PATH: bin, HOME: process.env.HOME ?? os.homedir(), LANG: 'C.UTF-8' };
  return runIn('npm', args, { cwd: path.dirname(tarball), env, ms: 150_000, why: 'is the npm registry (or ~/.npm\'s cache of node-pty) reachable?' });
}

// Writes the preload: every require of node-pty or of a .node file, and every process.dlopen,
// is appended to `log` (with the command line) and then fails as an absent module would.
export function writeTrap(dir: string, log: string): string {
  const file = path.join(dir, 'no-native.cjs');
  fs.writeFileSync(file, `'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const log = ${JSON.stringify(log)};
const note = (what) => fs.appendFileSync(log, process.argv.slice(1).map((a) => require('node:path').basename(a)).join(' ') + ': ' + what + '\\n');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/^node-pty($|\\/)/.test(request) || /\\.node$/.test(request)) {
    note('require ' + request);
    throw Object.assign(new Error('made unloadable by the test: ' + request), { code: 'MODULE_NOT_FOUND' });
  }
  return load.call(this, request, ...rest);
};
process.dlopen = function (module, file) {
  note('dlopen ' + file);
  throw new Error('made unloadable by the test: ' + file);
};
`);
  return file;
}
