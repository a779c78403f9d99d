// The last resort of "the shell survives the request": with `set -e` on, bash exits at once on
// some errors without running an ERR trap (an unset variable under `set -u`, `${x:?}`, a bad
// substitution: bash's report_error calls exit_shell), and `builtin exit` skips our `exit`.
// Only the EXIT trap still runs, in the dying shell. During a request ours dumps the shell's
// state (variables, functions, aliases, shopt and set options, traps, completions, directory)
// into the rc file's path and execs the same bash with the same argv, which reads the dump as
// its rc: same pid (the session's exec watcher sees the same command line), same terminal,
// same open files and environment. Lost: the job table (background jobs run on, but `jobs`,
// `%1` and `wait` no longer know them) and local variables of functions that were running.
// A SIGHUP during a request (the session being closed) also takes this path; the session then
// ends by its SIGKILL after the grace time.

// Bash for the rc: __pr_on_exit, installed as the EXIT trap by __pr_begin.
export const SHELL_REBIRTH = `# --- rebirth: bash exits on some errors under set -e without running any trap but EXIT (an
# unset variable under -u, \${x:?}, a bad substitution), and on \`builtin exit\`. The shell cannot
# be kept then; it is started again in place (same pid, argv and terminal) from a dump of its
# state, and the request ends with the status bash exited with. ---
__pr_argv=()
if [[ -r /proc/$$/cmdline ]]; then builtin mapfile -d '' -t __pr_argv < /proc/$$/cmdline; fi
# The EXIT trap during a request.
__pr_on_exit() {
  local __pr_s=$?
  if [[ $BASHPID != "$$" || -z $__pr_req ]]; then return; fi
  __pr_finish "$__pr_s"
  __pr_rebirth "$__pr_rs"
}
__pr_rebirth() {
  local __pr_f= __pr_i __pr_v __pr_vars __pr_um
  for (( __pr_i = 1; __pr_i + 1 < \${#__pr_argv[@]}; __pr_i++ )); do
    if [[ \${__pr_argv[__pr_i]} == --rcfile ]]; then __pr_f=\${__pr_argv[__pr_i + 1]}; fi
  done
  if [[ -z $__pr_f || ! -x \${BASH-} ]]; then return; fi
  builtin history -a 2>/dev/null
  # the dump is private (it holds every variable); the new shell gets the user's umask back
  __pr_um=$(builtin umask)
  builtin umask 077
  {
    builtin printf 'builtin command rm -f -- %q\\nbuiltin umask %s\\n' "$__pr_f" "$__pr_um"
    builtin mapfile -t __pr_vars < <(builtin compgen -v)
    for __pr_v in "\${__pr_vars[@]}"; do
      case $__pr_v in
        BASH*|EPOCH*|COMP_*|DIRSTACK|EUID|FUNCNAME|GROUPS|HISTCMD|LINENO|PIPESTATUS|PPID|RANDOM|SECONDS|SHELLOPTS|SRANDOM|UID|_|PWD|COLUMNS|LINES|__pr_s|__pr_f|__pr_i|__pr_v|__pr_vars|__pr_um) ;;
        *) builtin declare -p -- "$__pr_v" 2>/dev/null ;;
      esac
    done
    builtin declare -f
    builtin alias -p
    builtin shopt -p
    builtin set +o
    builtin trap -p
    builtin complete -p 2>/dev/null
    builtin printf 'builtin cd -- %q\\n__pr_st=%d\\n__pr_keys\\n' "$PWD" "$1"
  } >| "$__pr_f" 2>/dev/null || { builtin umask "$__pr_um"; return; }
  builtin printf 'pty-relay: bash exited on its own here (an error under set -e that no trap sees, or builtin exit); the shell was started again in place with its variables, functions, aliases, options and directory, but without its background jobs\\n' >&2
  builtin exec -a "\${__pr_argv[0]}" "$BASH" "\${__pr_argv[@]:1}" </dev/tty >/dev/tty 2>&1
}
`;
