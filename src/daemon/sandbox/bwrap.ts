// The one place a sandbox becomes bubblewrap arguments. Everything is denied unless named here;
// the holes are listed, each with why it is there:
//   - the root file system is bound READ-ONLY: every file the daemon's user may read stays readable
//     (programs and libraries need it); nothing outside the binds below can be written;
//   - the session's own directory (the rc file, the job script, the `ack` FIFO, no-editor) is bound
//     read-write at the same path: the shell integration talks to the daemon through it;
//   - the profile's project directory and `write` directories are bound read-write;
//   - /tmp is a private tmpfs of the profile's size; $HOME is an empty tmpfs when "hidden";
//   - the PTY itself (the session's terminal) is inherited: a program can type into its own
//     terminal (TIOCSTI), which is only its own session's shell;
//   - network "host" (if the profile says so) shares the host's network namespace, loopback and all.
// Always: its own PID, IPC, UTS and (where possible) cgroup namespace, a fresh /proc and a minimal
// /dev, every capability dropped, no new privileges (bwrap always sets PR_SET_NO_NEW_PRIVS, so
// setuid programs do not gain their owner's rights), and it dies with the daemon's side of it.
import type { Profile } from './profile';

export interface BwrapPlan {
  bwrap: string; // the bwrap program
  profile: Profile;
  home: string;
  project: string; // expanded, exists
  write: string[]; // expanded, exist
  sessionDir: string;
  rlimits: { prlimit: string; args: string[] } | null; // prlimit run inside, before the program
}

// The command line that runs `program` (argv) inside the sandbox.
export function bwrapArgv(plan: BwrapPlan, program: string[]): string[] {
  const { profile: p } = plan;
  const bind = (dir: string): string[] => ['--bind', dir, dir];
  const hideHome = p.home === 'hidden' && plan.home !== '/' && plan.home !== '';
  return [
    plan.bwrap,
    ...['--ro-bind', '/', '/'],
    ...['--dev', '/dev'],
    ...['--proc', '/proc'],
    ...['--size', String(p.tmpBytes), '--tmpfs', '/tmp'],
    ...(hideHome ? ['--tmpfs', plan.home] : []),
    ...plan.write.flatMap(bind),
    ...bind(plan.project),
    ...bind(plan.sessionDir),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(p.network === 'none' ? ['--unshare-net'] : []),
    '--die-with-parent',
    ...['--cap-drop', 'ALL'],
    ...['--chdir', plan.project],
    '--',
    ...(plan.rlimits === null ? [] : [plan.rlimits.prlimit, ...plan.rlimits.args, '--']),
    ...program,
  ];
}
