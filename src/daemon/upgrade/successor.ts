// Starting the new daemon process from the pty-relay installed now at the path this one was
// started from: the single binary is process.execPath itself; in development it is `node` running
// the same script (argv[1]). The new process gets this one's arguments and environment, so it is
// configured the same way, and finds its inheritance on fixed fds:
//
//   0 /dev/null   1, 2 our stdout and stderr (the log)   3 the handover document (a pipe)
//   4 Node's IPC channel (messages.ts)   5… the listening sockets, then the sessions' PTY masters
import { spawn, type ChildProcess } from 'node:child_process';
import { isSea } from '../../native/native-loader';

// The environment variable that tells `pty-relay serve` it takes over: the document's fd.
export const HANDOVER_ENV = 'PTY_RELAY_HANDOVER';
// Where the new process finds the document (after stdin, stdout, stderr) and its first inherited
// socket or PTY (after the document and Node's IPC channel, fd 4).
export const DOCUMENT_FD = 3;
export const IPC_FD = 4;
export const FIRST_INHERITED_FD = 5;

// The program and arguments that run `pty-relay ARGS…` from what is installed now.
function relaunch(args: string[]): { file: string; args: string[] } {
  const script = process.argv[1];
  if (isSea() || script === undefined) return { file: process.execPath, args };
  return { file: process.execPath, args: [...process.execArgv, script, ...args] };
}

// Starts the new daemon with `fds` (the listening sockets, then PTY masters) from FIRST_INHERITED_FD on.
export function spawnSuccessor(fds: number[]): ChildProcess {
  const { file, args } = relaunch(process.argv.slice(2));
  return spawn(file, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'ipc', ...fds],
    env: { ...withoutHandover(process.env), [HANDOVER_ENV]: String(DOCUMENT_FD) },
  });
}

function withoutHandover(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out[HANDOVER_ENV];
  return out;
}
