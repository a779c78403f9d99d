import * as path from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { nativeLoaderPlugin } from './src/build/sea-plugin';
import { absentModulesPlugin } from './src/build/absent-modules-plugin';
import { webAssetsPlugin } from './src/build/web-assets-plugin';

// The web page, built once and embedded in both daemon bundles.
const webAssets = webAssetsPlugin(path.resolve('.'));

// PTY_RELAY_BUILD_VERSION=x.y.z at build time stamps that version into the bundle (src/version.ts).
const stamped = process.env.PTY_RELAY_BUILD_VERSION;

const common: Options = {
  define: stamped === undefined || stamped === '' ? {} : { PTY_RELAY_BUILD_VERSION: JSON.stringify(stamped) },
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  bundle: true,
  // Keep `node:` prefixes: `require('node:sea')` has no unprefixed form.
  removeNodeProtocol: false,
  splitting: false,
};

export default defineConfig([
  // dist/main.js for bin/ shims (and the npm package): everything bundled except node-pty, the
  // package's optional dependency, whose native addon is loaded from node_modules by `serve` alone. dist/mirror-worker.js: the screen mirrors' worker thread, a bundle
  // of its own (with @xterm), also embedded in the single binary as an asset.
  {
    ...common,
    entry: { main: 'src/cli/main.ts', 'mirror-worker': 'src/daemon/mirror/mirror-worker.ts' },
    outDir: 'dist',
    noExternal: [/^(?!node-pty($|\/))/],
    external: ['node-pty'],
    esbuildPlugins: [webAssets, absentModulesPlugin()],
    sourcemap: true,
    clean: false,
  },
  // The single binary's two bundles: dist/sea/main.js (`--version` and `exec`, kept in its startup
  // snapshot) and dist/sea/full.js (everything, an asset run for other commands), with node-pty
  // bundled too, its addon loader swapped for one that reads the addon embedded in the binary
  // (src/native/native-loader.ts).
  {
    ...common,
    entry: { main: 'src/cli/sea-main.ts', full: 'src/cli/main.ts' },
    outDir: 'dist/sea',
    noExternal: [/.*/],
    esbuildPlugins: [nativeLoaderPlugin(path.resolve('src/native/native-loader.ts')), webAssets, absentModulesPlugin()],
    clean: true,
  },
  // The benchmark runner (make bench).
  {
    ...common,
    entry: { run: 'test/bench/run.ts' },
    outDir: 'dist/bench',
    external: ['node-pty'],
    clean: true,
  },
  // The binary's build script.
  {
    ...common,
    entry: { 'build-binary': 'src/build/binary.ts' },
    outDir: 'dist/build',
    external: ['postject'],
    clean: true,
  },
]);
