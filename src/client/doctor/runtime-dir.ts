// The daemon's runtime directory and unix socket: they must be ours and private (0700 and 0600),
// since the socket is a shell for whoever can open it and the directory holds the scripts the
// shells source.
import * as fs from 'node:fs';
import { ok, problem, warning, type Check } from './check';
import type { Probe } from './probe';

// The runtime directory: a real directory, owned by us, mode 0700.
export function runtimeDirCheck(dir: string, uid = process.getuid?.()): Check {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return warning('runtime-dir', `there is no runtime directory at ${dir}: no daemon has run here with these settings`, 'start the daemon (`systemctl --user start pty-relay`), or pass --runtime-dir as the daemon has it');
  }
  if (!st.isDirectory()) return problem('runtime-dir', `${dir} is not a directory${st.isSymbolicLink() ? ' (a symlink)' : ''}`, `remove it (\`rm ${dir}\`); the daemon makes a fresh one`);
  if (uid !== undefined && st.uid !== uid) return problem('runtime-dir', `${dir} belongs to uid ${st.uid}, not to you (uid ${uid})`, 'remove it, or give the daemon and doctor another --runtime-dir');
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) return problem('runtime-dir', `${dir} has mode ${octal(mode)}, not 0700: other users can look inside`, `\`chmod 700 ${dir}\``);
  return ok('runtime-dir', `${dir} is yours and private (0700)`);
}

// The unix socket: ours, 0600, and a daemon answers on it (`answer` is the probe through it).
export function socketCheck(file: string, answer: Probe | null, uid = process.getuid?.()): Check {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return warning('socket', `there is no unix socket at ${file}: the daemon is not running, or runs with --no-socket`, 'start the daemon (`systemctl --user start pty-relay`)');
  }
  if (!st.isSocket()) return problem('socket', `${file} is not a socket`, `remove it (\`rm ${file}\`) and restart the daemon`);
  if (uid !== undefined && st.uid !== uid) return problem('socket', `${file} belongs to uid ${st.uid}, not to you (uid ${uid})`, 'run doctor as the user who runs the daemon');
  if (answer?.kind === 'not-ours') return problem('socket', answer.message, `remove ${file}; the daemon makes a fresh one`);
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) return problem('socket', `${file} has mode ${octal(mode)}, not 0600: other users can open a shell as you`, `\`chmod 600 ${file}\`, and restart the daemon`);
  if (answer?.kind === 'unreachable' && answer.code === 'ECONNREFUSED') {
    return warning('socket', `${file} is left over from a daemon that is gone`, 'start the daemon (`systemctl --user start pty-relay`); it replaces the file');
  }
  const answering = answer?.kind === 'daemon' || (answer?.kind === 'error' && answer.code === 'PR_ERR_AUTH');
  return ok('socket', `${file} is yours and private (0600)${answering ? ', and the daemon answers on it' : ''}`);
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
