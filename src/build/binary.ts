// Builds dist/pty-relay: one executable made of this very `node` plus a Single Executable
// Application blob holding a V8 startup snapshot of the small bundle (dist/sea/main.js: `--version`
// and `exec`; node runs it at build time, see src/cli/sea-main.ts, and every start restores that
// heap) and, as assets, the full program (dist/sea/full.js), node-pty's native addon, our addons
// (dist/native/sock_diag.node, termios.node, holder_link.node), the session holder
// (dist/native/pty-relay-holder, run from memory: holder/spawn.ts) and the mirror worker (dist/mirror-worker.js).
// Every step is checked; the build fails rather than emit a binary without its blob or addon.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { FULL_ASSET, FULL_CACHE_ASSET, wrapFull } from '../cli/full-program';
import { VERSION } from '../version';

// Making the SEA blob runs the snapshot's exec round trip, which takes milliseconds; a hung one
// fails the build after this long rather than hold it for ever.
const SNAPSHOT_BUILD_MS = 120_000;
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, 'dist/sea/main.js');
const FULL = path.join(ROOT, 'dist/sea/full.js');
const ADDON = path.join(ROOT, 'node_modules/node-pty/build/Release/pty.node');
const SOCK_DIAG = path.join(ROOT, 'dist/native/sock_diag.node');
const TERMIOS = path.join(ROOT, 'dist/native/termios.node');
const HOLDER_LINK = path.join(ROOT, 'dist/native/holder_link.node');
const HOLDER = path.join(ROOT, 'dist/native/pty-relay-holder');
const MIRROR_WORKER = path.join(ROOT, 'dist/mirror-worker.js');
const OUT = path.join(ROOT, 'dist/pty-relay');

function fail(message: string): never {
  process.stderr.write(`build-binary: ${message}\n`);
  process.exit(1);
}

function step(what: string): void {
  process.stdout.write(`build-binary: ${what}\n`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(BUNDLE) || !fs.existsSync(FULL)) fail(`${BUNDLE} or ${FULL} is missing; run tsup first`);
  const bundle = fs.readFileSync(FULL, 'utf8');
  if (!bundle.includes('embedded native-addon loader') || bundle.includes('Failed to load native module')) {
    fail('the bundle does not use the embedded native-addon loader (the esbuild plugin did not match node-pty)');
  }
  if (!fs.existsSync(ADDON)) fail(`node-pty's native addon ${ADDON} is missing; run npm install`);
  if (!fs.existsSync(SOCK_DIAG)) fail(`the peer-uid addon ${SOCK_DIAG} is missing; run make build`);
  if (!fs.existsSync(TERMIOS)) fail(`the terminal-modes addon ${TERMIOS} is missing; run make build`);
  if (!fs.existsSync(HOLDER_LINK) || !fs.existsSync(HOLDER)) fail(`the session holder ${HOLDER} or its addon ${HOLDER_LINK} is missing; run make build`);
  if (!fs.existsSync(MIRROR_WORKER)) fail(`the mirror worker ${MIRROR_WORKER} is missing; run make build`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-sea-'));
  try {
    const blob = path.join(work, 'prep.blob');
    const config = path.join(work, 'sea-config.json');
    // The full program's V8 code cache, made by this very node (V8 takes it only from the same
    // version, flags and source): see src/cli/full-program.ts.
    const cache = path.join(work, FULL_CACHE_ASSET);
    fs.writeFileSync(cache, new vm.Script(wrapFull(bundle), { filename: FULL_ASSET }).createCachedData());
    fs.writeFileSync(
      config,
      JSON.stringify({ main: BUNDLE, output: blob, disableExperimentalSEAWarning: true, useSnapshot: true, assets: { [FULL_ASSET]: FULL, [FULL_CACHE_ASSET]: cache, 'pty.node': ADDON, 'sock_diag.node': SOCK_DIAG, 'termios.node': TERMIOS, 'holder_link.node': HOLDER_LINK, 'pty-relay-holder': HOLDER, 'mirror-worker.js': MIRROR_WORKER } }),
    );
    step(`making the SEA blob with ${process.execPath} ${process.version}`);
    // Bounded here: the snapshot's exec round trip (cli/exec-warmup.ts) may not hold a timer itself.
    execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit', timeout: SNAPSHOT_BUILD_MS });
    if (!fs.existsSync(blob) || fs.statSync(blob).size < bundle.length) fail('node did not write the SEA blob');

    const tmp = `${OUT}.tmp`;
    fs.copyFileSync(process.execPath, tmp);
    fs.chmodSync(tmp, 0o755);
    try {
      execFileSync('strip', ['--strip-all', tmp], { stdio: 'ignore' });
      step('stripped the node copy');
    } catch {
      step('strip is not available; keeping symbols (a larger binary, nothing else)');
    }
    step('injecting the blob with postject');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { inject } = require('postject') as { inject(file: string, name: string, data: Buffer, opts: { sentinelFuse: string }): Promise<void> };
    await inject(tmp, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: SEA_FUSE });
    fs.renameSync(tmp, OUT);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  step('checking the binary');
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-cache-'));
  try {
    const env = { PATH: '/usr/bin:/bin', PTY_RELAY_CACHE_DIR: cache };
    const version = execFileSync(OUT, ['--version'], { env, encoding: 'utf8' }).trim();
    if (version !== VERSION) fail(`dist/pty-relay --version printed "${version}", expected ${VERSION}`);
    const self = execFileSync(OUT, ['self-test'], { env, encoding: 'utf8' }).trim();
    if (self !== 'pty-self-test-ok\nsock-diag-ok\ntermios-ok\nholder-ok\ncode-cache-used') fail(`dist/pty-relay self-test printed "${self}"`);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
  const link = path.join(ROOT, 'dist/pty-client');
  fs.rmSync(link, { force: true });
  fs.symlinkSync('pty-relay', link);
  step(`dist/pty-relay: ${(fs.statSync(OUT).size / 1e6).toFixed(1)} MB; dist/pty-client -> pty-relay`);
}

main().catch((err: Error) => fail(err.stack ?? err.message));
