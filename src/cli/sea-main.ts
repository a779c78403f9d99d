// Entry point of the single binary (dist/pty-relay). Its SEA blob holds a V8 startup snapshot
// taken after this file ran at build time (src/build/binary.ts, `useSnapshot`), and holds only
// what `--version` and `exec` need (fast-start.ts): loaded, compiled, and for exec run once
// (exec-warmup.ts), so they start without compiling anything. Every other command runs the full
// program, an asset (full-program.ts). A 4 MB snapshot starts ~25 ms sooner here than one holding
// the whole 2.6 MB bundle (measured). What must happen per run (reading argv, the environment,
// stdin) happens after the snapshot is restored.
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { prepareExec, startFast } from './fast-start';
import { FULL_ASSET, runFullProgram, type SeaAssets } from './full-program';

// Runs the full program (it reads process.argv itself).
function runFull(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const sea = require('node:sea') as { isSea(): boolean } & SeaAssets;
  if (sea.isSea()) runFullProgram(sea);
  else require(path.join(__dirname, FULL_ASSET)); // plain node running dist/sea/main.js
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function run(): void {
  if (!startFast(process.argv.slice(2))) runFull();
}

if (v8.startupSnapshot.isBuildingSnapshot()) {
  prepareExec();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { warmExecRoundTrip } = require('./exec-warmup') as typeof import('./exec-warmup');
  // A snapshot without the round trip is only colder, so the build goes on, saying so.
  warmExecRoundTrip().catch((err: Error) => process.stderr.write(`pty-relay: the exec round trip for the startup snapshot failed (${err.message}); exec starts ~5 ms slower\n`));
  v8.startupSnapshot.setDeserializeMainFunction(run);
} else {
  run(); // run by plain node (dist/sea/main.js), or built without a snapshot
}
