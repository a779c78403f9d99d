// Entry point of dist/main.js (the bin/ shims); the single binary enters through sea-main.ts.
import { start } from './dispatch';

start(process.argv.slice(2));
