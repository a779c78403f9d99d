// Entry point of the single binary (dist/pty-relay). Its SEA blob holds a V8 startup snapshot
// taken after this file ran at build time (src/build/binary.ts, `useSnapshot`): the whole bundle
// is already compiled, and the exec client already loaded and run once, when the binary starts.
// That spares every start compiling 2.6 MB of JavaScript and `exec` loading node:net and the
// client. What must happen per run (reading argv, the environment, stdin) happens in start().
import * as v8 from 'node:v8';
import { prepareExec, start } from './dispatch';

if (v8.startupSnapshot.isBuildingSnapshot()) {
  prepareExec();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { warmExecRoundTrip } = require('./exec-warmup') as typeof import('./exec-warmup');
  // A snapshot without the round trip is only colder, so the build goes on, saying so.
  warmExecRoundTrip().catch((err: Error) => process.stderr.write(`pty-relay: the exec round trip for the startup snapshot failed (${err.message}); exec starts ~5 ms slower\n`));
  v8.startupSnapshot.setDeserializeMainFunction(() => start(process.argv.slice(2)));
} else {
  start(process.argv.slice(2)); // run by plain node (dist/sea/main.js), or built without a snapshot
}
