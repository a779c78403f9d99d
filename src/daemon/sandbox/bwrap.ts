// The one place a sandbox becomes bubblewrap arguments. Everything is denied unless named here;
// the holes are listed, each with why it is there:
//   - the root file system is bound READ-ONLY: every file the sandbox's user may read stays
//     readable (programs and libraries need it); nothing outside the binds below can be written;
//   - the session's shell directory (the rc file, the job script, the `ack` FIFO, no-editor: not
//     the session directory above it, which holds the holder's socket and the journal) is bound
//     read-write at the same path: the shell integration talks to the daemon through it;
//   - the profile's project directory and `write` directories are bound read-write;
//   - /tmp is a private tmpfs (1777) of the profile's size; $HOME is an empty writable tmpfs of the same size when "hidden";
//     `hide` directories (the daemon's runtime directory with its socket, $XDG_RUNTIME_DIR with
//     the user's bus and service manager, and under a root daemon every directory on the way to a
//     bind that the sandbox's user could not enter) are empty tmpfs too, before the binds;
//   - the PTY itself (the session's terminal) is inherited: a program can type into its own
//     terminal (TIOCSTI), which is only its own session's shell;
//   - network "host" (if the profile says so) shares the host's network namespace, loopback and all.
// Always: its own PID, IPC, UTS and (where possible) cgroup namespace, a fresh /proc and a minimal
// /dev, every capability dropped, no new privileges (bwrap always sets PR_SET_NO_NEW_PRIVS, so
// setuid programs do not gain their owner's rights), and it dies with the daemon's side of it.
// Under a root daemon (`drop`), bwrap keeps only CAP_SETUID, CAP_SETGID and CAP_SETPCAP, which
// setpriv uses to become the profile's uid and gid with no groups, then empties the bounding and
// inheritable sets: the program runs as an ordinary user with no capabilities at all.
import type { Profile } from './profile';

export interface BwrapPlan {
  bwrap: string; // the bwrap program
  profile: Profile;
  home: string;
  project: string; // expanded, exists
  write: string[]; // expanded, exist
  shellDir: string; // the shell's own files
  hide: string[]; // made empty (tmpfs) before the binds
  drop: { setpriv: string; uid: number; gid: number } | null; // a root daemon: the user to become
  rlimits: { prlimit: string; args: string[] } | null; // prlimit run inside, before the program
}

// The directories between a tmpfs of the sandbox's and each bind in it, shallowest first: bwrap
// would make them 0700, which the user of a root daemon's sandbox could not enter.
function wayDirs(targets: string[], tmpfs: string[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    const top = tmpfs.filter((d) => t.startsWith(`${d}/`)).sort((a, b) => b.length - a.length)[0];
    if (top === undefined) continue;
    const rest = t.slice(top.length + 1).split('/');
    for (let i = 1; i < rest.length; i++) {
      const d = `${top}/${rest.slice(0, i).join('/')}`;
      if (!out.includes(d)) out.push(d);
    }
  }
  return out;
}

// Changes into $1, then runs the rest (exec: no process stays).
const CHDIR = ['/bin/sh', '-c', 'cd -- "$1" || exit 125; shift; exec "$@"', 'pty-relay-chdir'];

// The command line that runs `program` (argv) inside the sandbox.
export function bwrapArgv(plan: BwrapPlan, program: string[]): string[] {
  const { profile: p, drop } = plan;
  const bind = (dir: string): string[] => ['--bind', dir, dir];
  const hideHome = p.home === 'hidden' && plan.home !== '/' && plan.home !== '';
  return [
    plan.bwrap,
    ...['--ro-bind', '/', '/'],
    ...['--dev', '/dev'],
    ...['--proc', '/proc'],
    ...['--perms', '1777', '--size', String(p.tmpBytes), '--tmpfs', '/tmp'],
    // A hidden $HOME is an empty tmpfs the shell may write (tools keep caches and history there),
    // bounded like /tmp; 1777 when a root daemon's shell runs as uid 65534, as bwrap cannot chown it.
    ...(hideHome ? ['--perms', drop === null ? '0700' : '1777', '--size', String(p.tmpBytes), '--tmpfs', plan.home] : []),
    ...plan.hide.flatMap((d) => ['--tmpfs', d]),
    ...wayDirs([...plan.write, plan.project, plan.shellDir], ['/tmp', ...(hideHome ? [plan.home] : []), ...plan.hide]).flatMap((d) => ['--perms', '0755', '--dir', d]),
    ...plan.write.flatMap(bind),
    ...bind(plan.project),
    ...bind(plan.shellDir),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(p.network === 'none' ? ['--unshare-net'] : []),
    '--die-with-parent',
    ...['--cap-drop', 'ALL'],
    ...(drop === null ? [] : ['--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP']),
    // Root without CAP_DAC_OVERRIDE may not enter the project directory, which is the user's (0700):
    // that user changes into it, after setpriv.
    ...(drop === null ? ['--chdir', plan.project] : []),
    '--',
    ...(drop === null ? [] : [drop.setpriv, `--reuid=${drop.uid}`, `--regid=${drop.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--', ...CHDIR, plan.project]),
    ...(plan.rlimits === null ? [] : [plan.rlimits.prlimit, ...plan.rlimits.args, '--']),
    ...program,
  ];
}
