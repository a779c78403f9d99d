// The shells: the bash that sessions run must be 4.4 or newer (PS0 marks where a command's
// output starts; macOS ships 3.2), and the login shell must be able to run the remote command
// that `pty-relay tunnel` gives ssh.
import * as os from 'node:os';
import * as path from 'node:path';
import { ok, problem, type Check } from './check';
import { runProgram } from './run';

// PS0, which the shell integration needs, arrived in bash 4.4.
export const MIN_BASH: readonly [number, number] = [4, 4];

// The version of `shell`, read from the shell itself.
export async function bashCheck(shell: string, source: string): Promise<Check> {
  const r = await runProgram(shell, ['--norc', '--noprofile', '-c', 'printf %s "$BASH_VERSION"'], { env: { ...process.env, SHLVL: '1' } });
  if (r.code === null) return problem('bash', `cannot run ${shell} (${source}): ${r.err.trim() || 'it did not answer'}`, 'install bash 4.4 or newer and pass `--shell PATH` to the daemon');
  const m = /^(\d+)\.(\d+)/.exec(r.out);
  if (r.code !== 0 || m === null) return problem('bash', `${shell} (${source}) is not bash`, 'pass `--shell PATH` to the daemon with a bash 4.4 or newer');
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MIN_BASH[0] || (major === MIN_BASH[0] && minor < MIN_BASH[1])) {
    return problem('bash', `${shell} (${source}) is bash ${r.out}: pty-relay needs ${MIN_BASH.join('.')} or newer (for PS0)`, 'install a newer bash (your package manager, or `brew install bash`) and pass `--shell PATH` to the daemon');
  }
  return ok('bash', `sessions run ${shell} (${source}), bash ${r.out.replace(/\(.*$/, '')}`);
}

// The login shell: ssh runs the tunnel's `exec sleep infinity` through it.
export function loginShellCheck(shell = loginShell()): Check {
  if (shell === null || shell === '') return ok('login-shell', 'no login shell is recorded for you; sessions run bash');
  const name = path.basename(shell);
  if (name === 'nologin' || name === 'false') {
    return problem('login-shell', `your login shell is ${shell}: ssh cannot run the remote command that \`pty-relay tunnel\` needs`, '`chsh -s /bin/bash` for this user, or ssh in as a user with a real shell');
  }
  if (name === 'bash') return ok('login-shell', `your login shell is ${shell}`);
  return ok('login-shell', `your login shell is ${shell}; sessions run bash all the same, with ~/.bashrc, not your ${name} configuration`);
}

function loginShell(): string | null {
  try {
    return os.userInfo().shell;
  } catch {
    return null;
  }
}
