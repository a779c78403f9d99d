import { defineConfig } from 'tsup';

// One CommonJS bundle with every pure-JS dependency inside. node-pty stays external here
// because its native addon is loaded from node_modules; the single-binary build swaps that.
export default defineConfig({
  entry: { main: 'src/cli/main.ts' },
  outDir: 'dist',
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  bundle: true,
  noExternal: ['commander', 'pino'],
  external: ['node-pty'],
  removeNodeProtocol: false,
  sourcemap: true,
  clean: true,
  splitting: false,
});
