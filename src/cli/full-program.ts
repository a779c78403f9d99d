// The single binary's full program (dist/sea/full.js, built from main.ts): how it is embedded and
// run. The binary's start-up snapshot holds only `--version` and `exec` (sea-main.ts); any other
// command compiles this asset, with the V8 code cache that the build made for it (binary.ts):
// measured here, `pty-relay ls` then starts ~50 ms sooner than when compiling it from scratch.
import * as path from 'node:path';
import * as vm from 'node:vm';

export const FULL_ASSET = 'full.js';
export const FULL_CACHE_ASSET = 'full.js.cache';
// Where the runner leaves whether V8 took the code cache, for `pty-relay self-test` (which runs in
// the full program: a bundle of its own, hence a global rather than a module variable).
const CACHE_STATE = Symbol.for('pty-relay.full-program.code-cache');

// The full program as one function of the CommonJS module variables. The build compiles this very
// text to make the code cache, which V8 accepts only for the same source.
export function wrapFull(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

export interface SeaAssets {
  getAsset(key: string, encoding: string): string;
  getRawAsset(key: string): ArrayBuffer;
}

// Runs the full program from the binary's assets; it reads process.argv itself. It gets the
// binary's own require (built-in modules only: the program bundles everything else).
export function runFullProgram(sea: SeaAssets): void {
  const file = path.join(path.dirname(process.execPath), FULL_ASSET);
  let cachedData: Buffer | undefined;
  try {
    cachedData = Buffer.from(sea.getRawAsset(FULL_CACHE_ASSET));
  } catch {
    cachedData = undefined; // a binary built without one: compiled from scratch
  }
  const script = new vm.Script(wrapFull(sea.getAsset(FULL_ASSET, 'utf8')), { filename: file, cachedData });
  (globalThis as Record<symbol, unknown>)[CACHE_STATE] = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  const mod = { exports: {} };
  fn.call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
}

// Whether the full program was compiled with its code cache: used, rejected (V8 refused it: built
// by another node), none (no cache in the binary), or not-embedded (not run from the binary).
export function fullProgramCodeCache(): string {
  const state = (globalThis as Record<symbol, unknown>)[CACHE_STATE];
  return typeof state === 'string' ? state : 'not-embedded';
}
