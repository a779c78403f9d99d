// For the upgrade tests: releases that report their own version (built from this source with the
// version stamped, or with a patch), an "installed" pty-relay whose bundle a test swaps, and a
// daemon that outlives its process: after an upgrade another pid serves, so the daemon runs under
// a small subreaper (as systemd's user manager is one), which reaps whatever the daemons leave.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Plugin } from 'esbuild';
import { build } from 'tsup';
import { absentModulesPlugin } from '../../src/build/absent-modules-plugin';
import { webAssetsPlugin } from '../../src/build/web-assets-plugin';
import { run, type ClientResult } from './clients';
import { collectLogs, makeHome, ROOT, type LogLine } from './daemon';
import { waitFor, within } from './deadline';

// Builds dist/main.js and dist/mirror-worker.js from this source (or the tree at `root`) into
// `outDir` with VERSION stamped as `version`, as tsup.config.ts builds dist/ (the same plugins);
// `patch` rewrites one source file on the way (the build fails if the text to replace is not
// there). Returns `outDir`.
export async function buildRelease(version: string, outDir: string, patch?: { file: RegExp; from: string; to: string }, root = ROOT): Promise<string> {
  let patched = patch === undefined;
  const patching: Plugin = {
    name: 'test-patch',
    setup(b) {
      if (patch === undefined) return;
      b.onLoad({ filter: patch.file }, (args) => {
        const text = fs.readFileSync(args.path, 'utf8');
        if (!text.includes(patch.from)) throw new Error(`patch: ${patch.from} not found in ${args.path}`);
        patched = true;
        return { contents: text.replace(patch.from, patch.to), loader: 'ts' };
      });
    },
  };
  // The mirror worker's source moved (session/ → mirror/, issue 21); an earlier commit has it in session/.
  const worker = ['src/daemon/mirror/mirror-worker.ts', 'src/daemon/session/mirror-worker.ts'].map((f) => path.join(root, f)).find((f) => fs.existsSync(f));
  // An earlier tree's web page is built by that tree's own plugin (the page's files changed since).
  const assets = root === ROOT ? webAssetsPlugin : ((await import(path.join(root, 'src/build/web-assets-plugin.ts'))) as { webAssetsPlugin: typeof webAssetsPlugin }).webAssetsPlugin;
  await build({
    config: false,
    entry: { main: path.join(root, 'src/cli/main.ts'), ...(worker === undefined ? {} : { 'mirror-worker': worker }) },
    outDir,
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    removeNodeProtocol: false,
    splitting: false,
    silent: true,
    noExternal: [/^(?!node-pty($|\/))/],
    external: ['node-pty'],
    define: { PTY_RELAY_BUILD_VERSION: JSON.stringify(version) },
    esbuildPlugins: [assets(root), absentModulesPlugin(), patching],
  });
  if (!patched) throw new Error(`patch: no file matched ${String(patch?.file)}`);
  return outDir;
}

// Builds the release of an earlier commit of this repository (its tree from `git archive`, with
// this checkout's node_modules) into `outDir`, stamped as `version`. Returns `outDir`.
export async function buildCommit(commit: string, version: string, outDir: string): Promise<string> {
  const tree = path.join(outDir, 'tree');
  fs.mkdirSync(tree, { recursive: true });
  const git = spawnSync('sh', ['-c', `git -C "$1" archive "$2" src package.json | tar -x -C "$3"`, 'sh', ROOT, commit, tree], { encoding: 'utf8' });
  if (git.status !== 0) throw new Error(`cannot take commit ${commit} from the repository's history (a shallow clone?): ${git.stderr}`);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  return buildRelease(version, outDir, undefined, tree);
}

// An installed pty-relay in `dir` (bin/pty-relay and the bundles in dist/), running the release
// built into `release` (a directory holding main.js and mirror-worker.js).
export function install(dir: string, release: string): string {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'bin/pty-relay'), "#!/usr/bin/env node\n'use strict';\nrequire('../dist/main.js');\n", { mode: 0o755 });
  if (!fs.existsSync(path.join(dir, 'node_modules'))) fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  // The peer-uid addon (make build) is the same in every release.
  fs.cpSync(path.join(ROOT, 'dist/native'), path.join(dir, 'dist/native'), { recursive: true });
  replaceBundle(dir, release);
  return path.join(dir, 'bin/pty-relay');
}

// Installs another release over the one in `dir`, each file atomically (as a package manager
// would); a release without a mirror worker (a broken one) leaves the installed worker.
export function replaceBundle(dir: string, release: string): void {
  for (const file of ['mirror-worker.js', 'main.js']) {
    if (!fs.existsSync(path.join(release, file))) continue;
    const tmp = path.join(dir, 'dist', `${file}.new`);
    fs.copyFileSync(path.join(release, file), tmp);
    fs.renameSync(tmp, path.join(dir, 'dist', file));
  }
}

// One exec request through netcat-openbsd without -N: it sends no EOF, so the daemon ends the
// reply and the reply counts as delivered (a client that half-closes while its reply streams may
// have been killed, and its reply is handed out again by `#!wait`).
export async function ncHeld(port: number, text: string): Promise<string> {
  return (await run(['nc.openbsd', '127.0.0.1', String(port)], text)).stdout;
}

// Runs `pty-relay upgrade` against the daemon on `port`.
export function relayUpgrade(port: number, ms = 60_000): Promise<ClientResult> {
  return run([process.execPath, path.join(ROOT, 'bin/pty-relay'), 'upgrade', '--json', '--port', String(port)], '', ms);
}

// Becomes a child subreaper (prctl PR_SET_CHILD_SUBREAPER), runs argv, reaps every orphan, and
// exits with argv's status once no process is left under it.
const REAPER = `
import ctypes, os, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
first = os.fork()
if first == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
code = 0
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    if pid == first:
        code = os.waitstatus_to_exitcode(status) & 0xff
sys.exit(code)
`;

export interface LiveDaemon {
  port: number;
  home: string;
  socket: string; // the unix socket
  logs: LogLine[];
  reaper: ChildProcess;
  // The pid of the daemon that most recently became ready.
  pid(): number;
  waitLog(evt: string, pred?: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  // Stops whichever daemon serves now and waits until every process under the reaper is gone.
  stop(): Promise<void>;
}

// Starts `bin serve` (an installed pty-relay, or the single binary) under the reaper.
export async function startLive(bin: string[], opts: { args?: string[]; env?: NodeJS.ProcessEnv; bashrc?: string } = {}): Promise<LiveDaemon> {
  const home = makeHome(opts.bashrc);
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-rt-'));
  const argv = [...bin, 'serve', '--port', '0', '--log-level', 'debug', '--runtime-dir', runtime, ...(opts.args ?? [])];
  const reaper = spawn('python3', ['-c', REAPER, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: home, USER: os.userInfo().username, LANG: 'C.UTF-8', ...opts.env },
    cwd: home,
  });
  const { logs, stderr } = collectLogs(reaper);
  const gone = new Promise<void>((resolve) => reaper.once('exit', () => resolve()));
  const waitLog = (evt: string, pred: (l: LogLine) => boolean = () => true, ms = 20_000): Promise<LogLine> =>
    waitFor(`log event ${evt}`, () => {
      const hit = logs.find((l) => l.evt === evt && pred(l));
      if (hit === undefined && reaper.exitCode !== null) throw new Error(`every daemon exited (${reaper.exitCode}): ${stderr()}`);
      return hit;
    }, ms);
  const listening = await waitLog('server.listening');
  const pid = (): number => Number([...logs].reverse().find((l) => l.evt === 'daemon.ready')?.pid);
  await waitLog('daemon.ready');
  return {
    port: listening.port as number,
    home,
    socket: path.join(runtime, 'relay.sock'),
    logs,
    reaper,
    pid,
    waitLog,
    async stop() {
      try {
        process.kill(pid(), 'SIGTERM');
      } catch {
        // already gone
      }
      await within('every daemon process to end', gone, 20_000);
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(runtime, { recursive: true, force: true });
      const bug = logs.find((l) => l.evt === 'daemon.uncaught_exception');
      if (bug !== undefined) throw new Error(`a daemon hit an uncaught exception: ${JSON.stringify(bug.err)}`);
    },
  };
}
