// Finds and loads one of our own native addons (src/native/): inside the single binary it is an
// embedded SEA asset (loaded from an unnamed copy like node-pty's, native/native-loader.ts); otherwise it is
// dist/native/NAME.node, built by `make build`. native/sock-diag.ts (the daemon's peer check and
// the clients' server check), daemon/pty/termios.ts and daemon/holder/ (holder_link.node, and the
// holder program itself) are its users.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSea, loadNativeModule } from './native-loader';

export type AddonLoad = { ok: true; module: unknown; from: string } | { ok: false; reason: string };

// Where the addon sits outside the binary: beside dist/main.js, seen from dist/bench/, or dist/
// seen from src/ (tests).
function candidates(file: string): string[] {
  return [path.join(__dirname, 'native', file), path.resolve(__dirname, '../native', file), path.resolve(__dirname, '../../dist/native', file), path.resolve(__dirname, '../../../dist/native', file)];
}

// The path of one of our native files outside the binary (dist/native/NAME), or null.
export function nativeFile(name: string): string | null {
  return candidates(name).find((f) => fs.existsSync(f)) ?? null;
}

// Loads NAME.node; says why when it cannot.
export function loadAddon(name: string): AddonLoad {
  if (process.platform !== 'linux') return { ok: false, reason: `${name}.node is for Linux, not ${process.platform}` };
  if (isSea()) {
    try {
      const { from, module } = loadNativeModule(name);
      return { ok: true, module, from };
    } catch (err) {
      return { ok: false, reason: (err as Error).message.split('\n')[0] ?? 'cannot load the embedded addon' };
    }
  }
  const file = nativeFile(`${name}.node`);
  if (file === null) return { ok: false, reason: `${name}.node is not built (make build)` };
  try {
    const mod = { exports: {} as unknown };
    process.dlopen(mod, file);
    return { ok: true, module: mod.exports, from: file };
  } catch (err) {
    return { ok: false, reason: `${file}: ${(err as Error).message.split('\n')[0] ?? 'cannot load'}` };
  }
}
