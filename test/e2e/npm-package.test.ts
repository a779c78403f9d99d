// The laptop side in one install (README "On the laptop"): `npm pack` of this checkout, installed
// into an empty prefix from a PATH without a compiler or python3. From there, against a real
// daemon (this checkout's) through a real ssh tunnel on loopback that the installed
// `pty-relay tunnel` keeps: pty-client in tmux, exec, ls, mcp through the MCP SDK's client, and
// doctor, each run with node-pty and the native addons made unloadable (a preload that notes any
// attempt); and `pty-relay serve`'s refusal. The package's size and file list go to the output.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { connectMcp } from '../helpers/mcp';
import { barePath, COMPILERS, install, pack, runIn, writeTrap, type Packed, type Ran } from '../helpers/npm-package';
import { freePort, Sshd, waitListening } from '../helpers/sshd';
import { Tmux } from '../helpers/tmux';
import { VERSION } from '../../src/version';
import { deadline } from '../helpers/deadline';

// What the package holds: the bundle (no TypeScript, no build on the laptop), the mirror worker
// and our two addons for `serve`, the bin shims, and npm's own README, LICENSE and package.json.
const EXPECTED_FILES = ['LICENSE', 'README.md', 'bin/pty-client', 'bin/pty-relay', 'dist/main.js', 'dist/mirror-worker.js', 'dist/native/holder_link.node', 'dist/native/pty-relay-holder', 'dist/native/sock_diag.node', 'dist/native/termios.node', 'package.json'];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-npm-'));
const bin = path.join(work, 'bin');
const prefix = path.join(work, 'prefix');
const trapLog = path.join(work, 'native-loads.log');
let packed: Packed;
let installed: Ran;

beforeAll(async () => {
  packed = await pack(work);
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;
  console.log(`npm package ${path.basename(packed.tarball)}: ${kb(packed.size)} packed, ${kb(packed.unpackedSize)} unpacked, ${packed.files.length} files:\n${packed.files.map((f) => `  ${kb(f.size).padStart(10)}  ${f.path}`).join('\n')}`);
  barePath(bin);
  installed = await install(packed.tarball, prefix, bin, ['--omit=optional']);
}, deadline(240_000));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const relay = (): string => path.join(prefix, 'bin/pty-relay');
const trapEnv = (): Record<string, string> => ({ PATH: `${path.join(prefix, 'bin')}:${bin}`, NODE_OPTIONS: `--require ${writeTrap(work, trapLog)}`, LANG: 'C.UTF-8' });
const trapped = (): string => (fs.existsSync(trapLog) ? fs.readFileSync(trapLog, 'utf8') : '');
const runRelay = (args: string[], env: Record<string, string>): Promise<Ran> => runIn(relay(), args, { cwd: work, env: { HOME: work, ...env }, ms: 60_000, why: `pty-relay ${args[0]} hung` });

it('holds only the bundle, the addons, the shims and the metadata', () => {
  expect(packed.files.map((f) => f.path).sort()).toEqual(EXPECTED_FILES);
});

it('installs from the tarball with no compiler, no python3 and optional dependencies omitted', async () => {
  expect(installed.code, installed.stderr).toBe(0);
  for (const c of COMPILERS) expect(fs.existsSync(path.join(bin, c))).toBe(false);
  const pkg = path.join(prefix, 'lib/node_modules/pty-relay');
  expect(fs.existsSync(path.join(pkg, 'dist/main.js'))).toBe(true);
  // Nothing else is installed (everything but node-pty is in the bundle); npm leaves the folder.
  const deps = fs.existsSync(path.join(pkg, 'node_modules')) ? fs.readdirSync(path.join(pkg, 'node_modules')) : [];
  expect(deps).toEqual([]);
  const v = await runRelay(['--version'], { PATH: bin });
  expect(v.stdout).toBe(`${VERSION}\n`);
  const c = await runIn(path.join(prefix, 'bin/pty-client'), ['--help'], { cwd: work, env: { PATH: bin, HOME: work }, ms: 30_000, why: 'pty-client --help hung' });
  expect(c.stdout).toMatch(/^Usage: pty-client/);
});

describe('the client commands from the installed package, through a real ssh tunnel', () => {
  let d: TestDaemon;
  let sshd: Sshd;
  let tmux: Tmux;
  let tunnel: ChildProcess;
  let local: number;

  beforeAll(async () => {
    d = await startDaemon({ bashrc: "PS1='prompt> '\n" });
    sshd = new Sshd();
    await sshd.start();
    tmux = new Tmux();
    local = await freePort();
    // The installed `pty-relay tunnel` runs ssh -tt -L (README "Tunnels"), under the trap too.
    tunnel = spawn(relay(), ['tunnel', '--once', '--local-port', String(local), '--remote', `127.0.0.1:${d.port}`, sshd.destination, '--', ...sshd.clientArgs()], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...trapEnv(), HOME: work },
    });
    await waitListening(local, 20_000);
  }, deadline(60_000));
  afterAll(async () => {
    tmux.kill();
    tunnel.kill('SIGTERM');
    sshd.stop();
    expect(await d.stop()).toBe(0);
  });

  it('pty-client attaches, runs what is typed, and detaches', async () => {
    tmux.start('c', [path.join(prefix, 'bin/pty-client'), '--port', String(local)], { ...trapEnv(), HOME: work });
    await tmux.waitScreen('c', /^prompt>\s*$/m, 30_000);
    tmux.type('c', 'echo laptop-$((6*7))');
    await tmux.waitScreen('c', /^laptop-42\s*$/m);
    tmux.keys('c', 'C-\\');
    expect(await tmux.exitStatus('c')).toBe(0);
  });

  it('pty-relay exec and ls', async () => {
    const r = await runRelay(['exec', '--port', String(local), '--', 'echo exec-$((2*3))'], trapEnv());
    expect(r).toMatchObject({ code: 0, stdout: 'exec-6\n' });
    const ls = await runRelay(['ls', '--port', String(local)], trapEnv());
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^default\s/m);
  });

  it('pty-relay mcp, driven by the MCP SDK client', async () => {
    const m = await connectMcp(relay(), ['mcp', '--port', String(local)], { env: trapEnv() });
    try {
      const r = await m.call('run', { command: 'echo mcp-$((7*6))' });
      expect(r.isError).toBe(false);
      expect(r.text).toMatch(/^mcp-42$/m);
    } finally {
      await m.close();
    }
  });

  it('pty-relay doctor passes every client check', async () => {
    const r = await runRelay(['doctor', '--client', '--port', String(local)], trapEnv());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const id of ['listen', 'daemon', 'version', 'secret', 'nc']) expect(r.stdout).toMatch(new RegExp(`^ok +${id} `, 'm'));
    expect(r.stdout).toMatch(/^(ok|warning) +round-trip /m);
  });

  it('none of them tried to load node-pty or a native addon but sock_diag, and they did without it', () => {
    // The clients' check that the server is ours (client/server-check.ts) tries sock_diag.node and,
    // made unloadable here as on a Mac, goes on without it; nothing else may be loaded.
    expect(trapped().split('\n').filter((l) => l !== '' && !/sock_diag\.node$/.test(l))).toEqual([]);
  });
});

it('`pty-relay serve` refuses at once without node-pty, saying where the server side comes from', async () => {
  const rt = fs.mkdtempSync(path.join(work, 'rt-'));
  const r = await runRelay(['serve', '--port', '0', '--runtime-dir', rt], { PATH: bin });
  expect(r.code).toBe(255);
  expect(r.stdout).toBe(''); // no log line: nothing started
  expect(r.stderr).toMatch(/^pty-relay: pty-relay serve needs node-pty, which this installation cannot load: run the server from the single binary .*`npm install -g pty-relay --include=optional --allow-scripts=node-pty` \(Cannot find module 'node-pty'.*\) \[PR_ERR_NO_PTY\]\n$/);
  expect(fs.readdirSync(rt)).toEqual([]); // no socket, no runtime files
  // The trap sees what serve loads, so it would have seen a client command load it too.
  const before = trapped();
  const t = await runRelay(['serve', '--port', '0', '--runtime-dir', rt], trapEnv());
  expect(t.stderr).toMatch(/\[PR_ERR_NO_PTY\]/);
  expect(trapped().slice(before.length)).toMatch(/^pty-relay serve .*: require node-pty$/m);
});

it('the default install (optional dependencies included) also needs no compiler: node-pty is left out', async () => {
  const prefix2 = path.join(work, 'prefix-default');
  const r = await install(packed.tarball, prefix2, bin, []);
  expect(r.code, r.stderr).toBe(0);
  expect(fs.existsSync(path.join(prefix2, 'lib/node_modules/pty-relay/node_modules/node-pty'))).toBe(false);
  const e = await runIn(path.join(prefix2, 'bin/pty-relay'), ['serve', '--port', '0'], { cwd: work, env: { PATH: bin, HOME: work }, ms: 30_000, why: 'serve hung' });
  expect(e.stderr).toMatch(/\[PR_ERR_NO_PTY\]/);
}, deadline(180_000));
