// esbuild plugin: optional native add-ons that `ws` tries inside try/catch (bufferutil,
// utf-8-validate) become modules that throw when loaded, so ws takes its JavaScript fallback.
// Left as plain require() calls, they make the single binary print Node's "require() … only
// supports loading built-in modules" warning on every start.
import type { Plugin } from 'esbuild';

const ABSENT = /^(bufferutil|utf-8-validate)$/;

export function absentModulesPlugin(): Plugin {
  return {
    name: 'pty-relay-absent-modules',
    setup(build) {
      build.onResolve({ filter: ABSENT }, (args) => ({ path: args.path, namespace: 'pty-relay-absent' }));
      build.onLoad({ filter: /.*/, namespace: 'pty-relay-absent' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled; the JavaScript fallback is used`)});`,
        loader: 'js',
      }));
    },
  };
}
