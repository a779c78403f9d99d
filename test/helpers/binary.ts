// The single binary (dist/pty-relay, made by `make binary`) copied into a fresh directory with its
// pty-client link beside it, as an install would place them: tests run the copy.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './daemon';

export const BUILT_BINARY = path.join(ROOT, 'dist/pty-relay');

// A new directory (named from `prefix`) holding pty-relay and the pty-client link; the caller removes it.
export function copyBinary(prefix: string): string {
  if (!fs.existsSync(BUILT_BINARY)) throw new Error('dist/pty-relay is missing: run `make binary` (make test does)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const bin = path.join(dir, 'pty-relay');
  fs.copyFileSync(BUILT_BINARY, bin);
  fs.chmodSync(bin, 0o755);
  fs.symlinkSync('pty-relay', path.join(dir, 'pty-client'));
  return dir;
}
