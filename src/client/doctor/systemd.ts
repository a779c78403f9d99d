// The daemon under systemd: is the user unit installed, enabled and running; and is linger on,
// without which systemd stops the daemon, and every session, when the user's last login ends.
// Linux only (systemd, logind): a server check.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ok, problem, skip, warning, type Check } from './check';
import { runProgram } from './run';

// Where systemd says it runs (sd_booted(3)) and where logind keeps linger flags.
const SYSTEMD_RUNNING = '/run/systemd/system';
const LINGER_DIR = '/var/lib/systemd/linger';
export const UNIT = 'pty-relay.service';

export interface ServiceState {
  check: Check;
  mainPid: number | null; // the daemon's pid, when systemd runs it
}

// The pty-relay user unit's state, from `systemctl --user show`.
export async function serviceCheck(): Promise<ServiceState> {
  const none = (check: Check): ServiceState => ({ check, mainPid: null });
  if (!fs.existsSync(SYSTEMD_RUNNING)) {
    return none(warning('systemd', 'systemd is not running on this machine, so nothing restarts the daemon if it stops', 'run `pty-relay serve` under a supervisor you have, or where it outlives your login (e.g. `setsid -f pty-relay serve`)'));
  }
  const r = await runProgram('systemctl', ['--user', 'show', UNIT, '-p', 'LoadState', '-p', 'ActiveState', '-p', 'SubState', '-p', 'MainPID', '-p', 'UnitFileState']);
  if (r.missing) return none(warning('systemd', 'there is no systemctl here', 'run `pty-relay serve` under a supervisor you have'));
  if (r.code !== 0) {
    const why = (r.err.trim().split('\n')[0] ?? '') || `exit status ${r.code}`;
    return none(warning('systemd', `\`systemctl --user\` cannot reach your user manager (${why})`, 'log in through ssh or a console so that your user manager runs, with XDG_RUNTIME_DIR=/run/user/$(id -u) set'));
  }
  const p = Object.fromEntries(r.out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const pid = Number(p.MainPID);
  const mainPid = Number.isInteger(pid) && pid > 0 ? pid : null;
  if (p.LoadState !== 'loaded') return none(warning('systemd', `no ${UNIT} user unit is installed`, '`make install`, then `systemctl --user enable --now pty-relay`'));
  const state = `${p.ActiveState} (${p.SubState})`;
  if (p.ActiveState === 'failed') return none(problem('systemd', `${UNIT} has failed`, 'read `journalctl --user -u pty-relay -o cat`, then `systemctl --user restart pty-relay`'));
  if (p.ActiveState !== 'active') return none(warning('systemd', `${UNIT} is ${state}`, '`systemctl --user enable --now pty-relay`'));
  if (p.UnitFileState !== 'enabled') {
    return { check: warning('systemd', `${UNIT} is ${state} but ${p.UnitFileState ?? 'not enabled'}, so it will not start at boot`, '`systemctl --user enable pty-relay`'), mainPid };
  }
  return { check: ok('systemd', `${UNIT} is ${state} and enabled, pid ${mainPid ?? '?'}`), mainPid };
}

// Linger: the user manager (and so the daemon) keeps running while the user is logged out.
export function lingerCheck(user = safeUser()): Check {
  if (!fs.existsSync(SYSTEMD_RUNNING)) return skip('linger', 'systemd is not running here, so there is no linger to set');
  if (fs.existsSync(`${LINGER_DIR}/${user}`)) return ok('linger', `linger is on for ${user}: the daemon and its sessions outlive your logins`);
  return warning('linger', `linger is off for ${user}: systemd stops the daemon, and every session, when your last login ends`, `\`loginctl enable-linger ${user}\``);
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '');
  }
}
