// esbuild plugin for the single binary: node-pty's `require("./utils")` resolves to our
// src/native/native-loader.ts instead. The build fails loudly if node-pty's layout changed and nothing matched.
import type { Plugin } from 'esbuild';

// `loaderPath` is the absolute path of native-loader.ts.
export function nativeLoaderPlugin(loaderPath: string): Plugin {
  return {
    name: 'pty-relay-native-loader',
    setup(build) {
      let swapped = 0;
      build.onResolve({ filter: /^\.\/utils$/ }, (args) => {
        if (!/node-pty[\\/]lib[\\/]/.test(args.importer)) return undefined;
        swapped++;
        return { path: loaderPath };
      });
      build.onEnd((result) => {
        if (result.errors.length === 0 && swapped === 0) {
          throw new Error('pty-relay: node-pty no longer imports ./utils from lib/; the native-addon swap matched nothing. Update src/build/sea-plugin.ts.');
        }
      });
    },
  };
}
