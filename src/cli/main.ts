// Entry point of dist/main.js (the bin/ shims) and of the single binary's full program
// (dist/sea/full.js, which sea-main.ts loads for anything but `--version` and `exec`).
import { start } from './dispatch';

start(process.argv.slice(2));
