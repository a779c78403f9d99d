// Entry point of the single binary (dist/pty-relay). Its SEA blob holds a V8 startup snapshot
// taken after this file ran at build time (src/build/binary.ts, `useSnapshot`): the whole bundle
// is already compiled and the exec fast path's modules already loaded when the binary starts,
// which spares every start compiling 2.6 MB of JavaScript and `exec` loading node:net and the
// client. What must happen per run (reading argv, the environment, stdin) happens in start().
import * as v8 from 'node:v8';
import { prepareExec, start } from './dispatch';

if (v8.startupSnapshot.isBuildingSnapshot()) {
  prepareExec();
  v8.startupSnapshot.setDeserializeMainFunction(() => start(process.argv.slice(2)));
} else {
  start(process.argv.slice(2)); // run by plain node (dist/sea/main.js), or built without a snapshot
}
