// The single binary (dist/pty-relay, made by `make binary`) copied into a fresh directory with its
// pty-client link beside it, as an install would place them: tests run the copy.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './daemon';
import { waitFor, within } from './deadline';

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

// The binary `bin` serving on a free port from `dir` with a bare environment (`env -i`, PATH and
// `env`), its runtime directory in `dir`; `stop` sends SIGTERM and resolves to its exit code.
export async function serveBinary(bin: string, dir: string, env: string[] = []): Promise<{ port: number; output: () => string; stop: () => Promise<number | null> }> {
  const proc = spawn('env', ['-i', 'PATH=/usr/bin:/bin', ...env, bin, 'serve', '--port', '0', '--runtime-dir', path.join(dir, 'rt')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  const port = await waitFor('the binary to listen', () => Number(/"evt":"server.listening","port":(\d+)/.exec(out)?.[1]) || undefined);
  return {
    port,
    output: () => out,
    stop: () => {
      proc.kill('SIGTERM');
      return within('the binary to exit', exited, 10_000);
    },
  };
}
