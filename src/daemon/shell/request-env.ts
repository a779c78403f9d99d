// The environment an exec request's commands get on top of the session's, so that programs a
// machine drives neither colour their output nor stop to wait for a person. The shell exports
// it just before each request and puts each variable back afterwards unless the script changed
// it, so a person typing in the same shell (pty-client) keeps their own environment. The
// session-wide PAGER=cat, GIT_PAGER=cat, SYSTEMD_PAGER=cat, GIT_TERMINAL_PROMPT=0 come from
// sessionEnv (cli/config.ts). README "The environment of a request" says why each is (or is not) set.

export type StdinMode = 'null' | 'tty';

interface EnvDefault {
  name: string;
  // null: the path of the session's no-editor script (see NO_EDITOR_MESSAGE)
  value: string | null;
  // `null`: stdin is /dev/null (the default); `tty`: #!interactive, a person-like terminal
  modes: readonly StdinMode[];
}

const BOTH: readonly StdinMode[] = ['null', 'tty'];
const MACHINE: readonly StdinMode[] = ['null'];

// Besides these, git gets color.ui=never through GIT_CONFIG_COUNT (git ignores NO_COLOR).
export const REQUEST_ENV: readonly EnvDefault[] = [
  { name: 'NO_COLOR', value: '1', modes: BOTH }, // no-color.org: node, python, systemd, rich, ...
  { name: 'PIP_PROGRESS_BAR', value: 'off', modes: BOTH },
  { name: 'npm_config_progress', value: 'false', modes: BOTH },
  { name: 'BUILDKIT_PROGRESS', value: 'plain', modes: BOTH }, // docker build: no multi-line redraw
  { name: 'GIT_EDITOR', value: null, modes: MACHINE }, // `git commit` without -m fails at once
  { name: 'EDITOR', value: null, modes: MACHINE },
  { name: 'VISUAL', value: null, modes: MACHINE },
  { name: 'DEBIAN_FRONTEND', value: 'noninteractive', modes: MACHINE }, // apt, dpkg: no questions
  { name: 'APT_LISTCHANGES_FRONTEND', value: 'none', modes: MACHINE },
  { name: 'PIP_NO_INPUT', value: '1', modes: MACHINE }, // pip: fail instead of asking
  { name: 'COLUMNS', value: '80', modes: MACHINE }, // as wide as a pipe's 80 (pytest, rich, ...): see __pr_narrow
];

// What the no-editor script prints (to stderr) before it fails: the editor would wait for keys
// that never come. No single quotes: it sits in a sh single-quoted string.
export const NO_EDITOR_MESSAGE =
  'pty-relay: no editor in exec requests (it would wait for keys that never come): give the text on the command line (git commit -m MSG, git merge --no-edit, GIT_EDITOR=true git rebase --continue), or send the request with #!interactive';

// git honours no NO_COLOR: color.ui=never is added to the `git -c` list it passes to its own
// children. The 'key=value' form is the one every git version reads (2.31+ also write 'k'='v').
const GIT_NO_COLOR = `GIT_CONFIG_PARAMETERS="\${GIT_CONFIG_PARAMETERS:+$GIT_CONFIG_PARAMETERS }'color.ui=never'"`;

// One `NAME=VALUE` assignment; values here are plain words by construction.
function assignment(e: EnvDefault): string {
  if (e.value === null) return `${e.name}="$__pr_noeditor"`;
  if (!/^[A-Za-z0-9_.:/-]*$/.test(e.value)) throw new Error(`request env ${e.name}: not a plain word`);
  return `${e.name}=${e.value}`;
}

// The assignments put before `source FILE` for a stdin mode. Assignments before a builtin are
// bash's temporary environment: the script and everything it starts see them (exported), and
// the shell's own variables are back as they were when `source` returns, with no code of ours.
// (So a script's own `export NO_COLOR=…` of one of these names lasts only until it ends.)
export function requestAssignments(mode: StdinMode): string {
  const own = REQUEST_ENV.filter((e) => e.modes.includes(mode)).map(assignment);
  return [...own, GIT_NO_COLOR].join(' ');
}

// Bash for the rc: writes the no-editor script next to the rc (in the session's private
// directory) and sets __pr_noeditor to it, or to `false` when that is impossible.
export function renderNoEditor(): string {
  return `__pr_noeditor=\${BASH_SOURCE[0]%/*}/no-editor
if [[ $__pr_noeditor == *[[:space:]]* ]] || ! { builtin printf '%s\\n' '#!/bin/sh' "echo '${NO_EDITOR_MESSAGE}' >&2" 'exit 1' >| "$__pr_noeditor" && command chmod 700 -- "$__pr_noeditor"; } 2>/dev/null; then
  __pr_noeditor=false
fi
`;
}
