// Starting a session's program under a holder (src/native/holder.c): the holder is a detached
// process of its own session, so nothing that happens to the daemon reaches it, and the daemon
// then connects to it as any later daemon would.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RelayError } from '../../errors';
import { isSea } from '../../native/native-loader';
import type { TerminalProgram } from '../base/terminal-program';
import { nativeFile } from '../../native/addon';
import { HolderLink, linkAddon } from './link';

export const HOLDER_SOCKET = 'holder.sock';
// A holder that just started binds its socket within microseconds; a loaded machine may take far
// longer to run it at all (measured: 0.4 s at load 6 on 2 cores, seconds at load 18). The wait
// happens on a worker thread (HolderLink.connectAsync): the daemon serves its other clients
// meanwhile, so this can be generous.
const CONNECT_TIMEOUT_MS = 20_000;

export interface HolderPolicy {
  bufferBytes: number; // what a holder keeps while no daemon is connected
  orphanS: number; // how long it keeps the session with no daemon (0: for ever)
}

let program: string | null | undefined;

// The holder executable: dist/native/pty-relay-holder, or inside the single binary an in-memory
// copy of the embedded one (memfd, run as /proc/self/fd/N: nothing on disk to swap).
export function holderProgram(): string | null {
  if (program !== undefined) return program;
  program = null;
  if (!isSea()) {
    const file = nativeFile('pty-relay-holder');
    try {
      if (file !== null) fs.accessSync(file, fs.constants.X_OK);
      return (program = file);
    } catch {
      return null; // there, but not executable
    }
  }
  const a = linkAddon();
  if (!a.ok) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sea = require('node:sea') as { getRawAsset(key: string): ArrayBuffer };
  const fd = a.link.memfd('pty-relay-holder', Buffer.from(sea.getRawAsset('pty-relay-holder')));
  if (typeof fd === 'number') program = `/proc/self/fd/${fd}`;
  return program;
}

// A holder being started: `link` resolves once the daemon is connected to it (rejects with
// PR_ERR_HOLDER); `cancel` ends a start no longer wanted (the session went meanwhile).
export interface HolderStart {
  link: Promise<HolderLink>;
  cancel(): void;
}

// Starts `opts.file` in a PTY under a new holder whose socket is in `dir`, and connects to it
// without holding the event loop. Throws PR_ERR_HOLDER when the holder cannot be spawned at all.
export function startHolder(opts: TerminalProgram, dir: string, policy: HolderPolicy): HolderStart {
  const exe = holderProgram();
  if (exe === null) throw new RelayError('PR_ERR_HOLDER', 'the session holder (pty-relay-holder) is not built: make build');
  const sock = path.join(dir, HOLDER_SOCKET);
  fs.rmSync(sock, { force: true }); // a holder that ended without removing it
  const args = [HOLDER_SOCKET, String(policy.bufferBytes), String(policy.orphanS), String(opts.cols), String(opts.rows), opts.cwd, '--', opts.file, ...opts.args];
  // cwd: the holder binds its socket by the short relative name (sockaddr_un holds 107 bytes).
  const child = spawn(exe, args, { cwd: dir, env: opts.env, detached: true, stdio: 'ignore' });
  child.on('error', () => undefined); // reported below, through the missing pid
  if (child.pid === undefined) throw new RelayError('PR_ERR_HOLDER', `cannot start the session holder ${exe}`);
  child.unref();
  // Killed before it handed the master over, the holder takes its program with it: the terminal's
  // last master closes, and the kernel hangs the program's session up.
  let cancelled = false;
  const cancel = (): void => {
    cancelled = true;
    child.kill('SIGKILL');
  };
  // Only this holder: a start cancelled here must never take (and hang up) the holder of a session
  // started again in the same directory meanwhile.
  const link = HolderLink.connectAsync(sock, CONNECT_TIMEOUT_MS, child.pid).then(
    (l) => {
      if (!cancelled) return l;
      l.hangup();
      fs.closeSync(l.master);
      l.release();
      throw new RelayError('PR_ERR_HOLDER', 'the session went while its holder started');
    },
    (err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    },
  );
  return { link, cancel };
}

// Runs `true` under a holder and waits for its status: proves the holder starts and answers.
export async function holderSelfTest(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-holder-test-'));
  try {
    const link = await startHolder({ file: '/bin/true', args: [], cwd: '/', env: { PATH: '/usr/bin:/bin' }, cols: 80, rows: 24 }, dir, { bufferBytes: 4096, orphanS: 10 }).link;
    const status = await new Promise<number | null>((resolve) => link.onExit(resolve));
    fs.closeSync(link.master);
    link.release();
    return status === 0 ? 'holder-ok' : `holder-failed: status ${status}`;
  } catch (err) {
    return `holder-unavailable: ${(err as Error).message}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
