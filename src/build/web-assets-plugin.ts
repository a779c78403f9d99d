// esbuild plugin: `import { PAGE_JS, PAGE_CSS } from 'pty-relay:web-assets'` resolves to the web
// page, built right here for browsers (one minified IIFE from src/web/main.ts) plus xterm's
// stylesheet and ours, and the service worker (SW_JS, from src/web/sw.ts). The daemon's bundles
// (dist/main.js and the single binary's) embed them as strings, so the page is served the same way in both and `make binary` needs nothing online.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Browsers from 2022 on: WebSocket, TextDecoder, ResizeObserver and visualViewport everywhere.
const BROWSER_TARGETS = ['chrome100', 'firefox100', 'safari15', 'edge100'];

// `root` is the repository root (where node_modules and src/ are).
export function webAssetsPlugin(root: string): esbuild.Plugin {
  let assets: Promise<string> | null = null; // built once, shared by every bundle that asks
  return {
    name: 'pty-relay-web-assets',
    setup(build) {
      build.onResolve({ filter: /^pty-relay:web-assets$/ }, () => ({ path: 'web-assets', namespace: 'pty-relay-web' }));
      build.onLoad({ filter: /.*/, namespace: 'pty-relay-web' }, async () => {
        assets ??= buildAssets(root);
        return { contents: await assets, loader: 'js', resolveDir: root };
      });
    },
  };
}

// One browser script from `entry` (under src/web/), minified.
async function bundle(root: string, entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'src/web', entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: BROWSER_TARGETS,
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text;
  if (js === undefined) throw new Error(`pty-relay: the web bundle of ${entry} came out empty`);
  return js;
}

async function buildAssets(root: string): Promise<string> {
  const [js, sw] = await Promise.all([bundle(root, 'main.ts'), bundle(root, 'sw.ts')]);
  // The script is inlined in the HTML (so the CSP can allow it by hash): it must not close its tag.
  if (/<\/script/i.test(js)) throw new Error('pty-relay: the web page bundle contains "</script"; it cannot be inlined');
  const css = [path.join(root, 'node_modules/@xterm/xterm/css/xterm.css'), path.join(root, 'src/web/style.css')].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  if (/<\/style/i.test(css)) throw new Error('pty-relay: the web page stylesheet contains "</style"');
  return `export const PAGE_JS = ${JSON.stringify(js)};\nexport const PAGE_CSS = ${JSON.stringify(css)};\nexport const SW_JS = ${JSON.stringify(sw)};\n`;
}
