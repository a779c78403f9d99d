// The bash half of "the shell survives the request" (README "What survives a request"): an
// exec request runs `source FILE` in the session's own shell, so by default an `exit` or a
// `set -e` failure in it would end the shell, and its `set -e`, `set -x`, traps and `exec >file`
// would stay on for every later request and for the person at the terminal.
//
// Each request runs as `{ __pr_begin MODE; } 2>/dev/null; VARS… source FILE; { __pr_end $?; }
// 2>/dev/null` (typed through aliases, see runLine). Between begin and end:
// - `exit` and `trap` are functions. In the session's own shell (`$BASHPID == $$`) `exit N`
//   ends the request with N; in a subshell it is bash's exit.
// - errtrace is on and our ERR trap runs where `set -e` would end the script (bash runs ERR
//   traps in exactly those places): it turns errexit off before bash acts on it, and ends the
//   request with the failing status. A script's own ERR trap runs first, with its $? and $LINENO.
// - To end the request from inside functions and nested sources, extdebug is turned on with a
//   DEBUG trap that returns 2: bash then treats every following command as `return`, up to our
//   own line. Only function definitions (they run no command) are still made on the way out.
// - __pr_end (or, when the line was interrupted, the prompt hook) runs an EXIT trap the script
//   set, then restores the options in `$-`, pipefail and posix, and every trap; the prompt hook
//   gives the shell its terminal back as stdin/stdout/stderr. The request's environment
//   (request-env.ts) is bash's temporary environment of `source`, gone when it returns.
// `{ ...; } 2>/dev/null` keeps our own commands out of a script's `set -x` trace.
// Errors that bash handles by exiting at once, with no ERR trap, are shell-rebirth.ts's part.

// Bash for the rc: the functions above. Uses __pr_install, __pr_aliases, the __pr_env_MODE
// aliases and __pr_ask/__pr_wait/__pr_ack (a plain request first asks for output processing off, see
// newlines.ts) from shell-integration.ts, and __pr_on_exit (shell-rebirth.ts).
export const REQUEST_GUARD = `# --- request guard: a request's exit, its set -e failures, options and traps stay inside it ---
__pr_scratch=\${BASH_SOURCE[0]%/*}/t-$$
__pr_req= __pr_mode= __pr_unw= __pr_armed= __pr_rs=0 __pr_es=0 __pr_uerr= __pr_uexit= __pr_after= __pr_flags= __pr_lopts= __pr_traps=
# Starts a request. $1: null (stdin is /dev/null) or tty (#!interactive). Saves what a script
# may change and arms the guards: our exit and trap, and an ERR trap for set -e (errtrace on).
__pr_begin() {
  local ask=
  if [[ $1 == null && -p $__pr_ack ]]; then __pr_ask F; ask=1; fi
  __pr_req=1 __pr_unw= __pr_rs=0 __pr_uerr= __pr_uexit= __pr_flags=$- __pr_lopts= __pr_traps=
  if [[ -o pipefail ]]; then __pr_lopts+=p; fi
  if [[ -o posix ]]; then __pr_lopts+=x; fi
  if builtin shopt -q extdebug; then __pr_lopts+=d; fi
  if builtin trap -p >| "$__pr_scratch"; then IFS= builtin read -r -d '' __pr_traps < "$__pr_scratch"; fi
  __pr_mode=$1
  if [[ $1 == null ]]; then __pr_narrow; fi
  # The daemon's answer to F, asked for above: it has come meanwhile, most of the time.
  if [[ -n $ask ]]; then __pr_wait; fi
  exit() { { __pr_exit "$@"; } 9>&2 2>/dev/null; }
  trap() { { __pr_trap "$@"; } 9>&2 2>/dev/null; }
  builtin set -E
  __pr_set_err
  builtin trap __pr_on_exit EXIT
}
# \`exit\` during a request: in the session's own shell it ends the request, not the shell.
__pr_exit() {
  local s=$? n
  if [[ $BASHPID != "$$" || -z $__pr_req ]]; then
    if (( $# )); then builtin exit "$@" 2>&9; else builtin exit "$s"; fi
  fi
  if (( $# > 1 )); then
    builtin printf 'bash: exit: too many arguments\\n' >&9
    s=1
  elif (( $# == 1 )); then
    n=\${1//[[:space:]]/}
    if [[ $n =~ ^([-+]?)0*([0-9]{1,18})$ ]]; then
      s=$(( \${BASH_REMATCH[1]}10#\${BASH_REMATCH[2]} & 255 ))
    else
      builtin printf 'bash: exit: %s: numeric argument required\\n' "$1" >&9
      s=2
    fi
  fi
  __pr_unwind "$s"
}
# Ends the request with status $1: from here on every command of the script returns at once,
# up to the request's own line (with extdebug, a DEBUG trap returning 2 acts as \`return\`).
__pr_unwind() {
  if [[ -n $__pr_unw ]]; then return 0; fi
  __pr_unw=1 __pr_rs=$1
  builtin set +e
  __pr_armed=1
  builtin shopt -s extdebug
  builtin trap '{ __pr_dbg; } 2>/dev/null' DEBUG
}
# The DEBUG trap while unwinding: 2 (return) inside the script, 1 (skip) in a subshell forked
# on the way out, 0 once back in our own code, where unwinding ends.
__pr_dbg() {
  if [[ -z $__pr_unw ]]; then return 0; fi
  if [[ $BASHPID != "$$" ]]; then return 1; fi
  if [[ \${FUNCNAME[1]-} == __pr_run_code ]]; then return 2; fi
  if [[ -n \${FUNCNAME[1]-} && \${FUNCNAME[1]} != __pr_* ]]; then return 2; fi
  __pr_unarm
  return 0
}
# Turning extdebug off also turns errtrace and functrace off: they are kept as they were.
__pr_unarm() {
  if [[ -z $__pr_armed ]]; then return 0; fi
  local f=$-
  __pr_armed=
  builtin trap - DEBUG
  if [[ $__pr_lopts != *d* ]]; then builtin shopt -u extdebug; fi
  if [[ $f == *E* ]]; then builtin set -E; fi
  if [[ $f == *T* ]]; then builtin set -T; fi
}
# The ERR trap: ours around the script's own ERR code, which stays on the trap's first line so
# that its $LINENO and $? are what bash would give it.
__pr_set_err() {
  if [[ -n $__pr_uerr ]]; then
    builtin trap "if { __pr_err_a; } 2>/dev/null; then :; else $__pr_uerr
:; fi; { __pr_err_b; } 2>/dev/null" ERR
  else
    builtin trap '{ __pr_err; } 2>/dev/null' ERR
  fi
}
__pr_err() {
  __pr_es=$?
  __pr_err_b
}
__pr_err_a() {
  __pr_es=$?
  if [[ -n $__pr_unw ]]; then return 0; fi
  return "$__pr_es"
}
# A command failed where set -e would end the script (bash runs ERR traps exactly there):
# end the request instead of the shell.
__pr_err_b() {
  if [[ $BASHPID == "$$" && -n $__pr_req && $- == *e* ]]; then __pr_unwind "$__pr_es"; fi
}
# \`trap\` during a request: ERR and EXIT code is kept by us (see __pr_set_err, __pr_finish).
__pr_trap() {
  if (( $# == 0 )) || [[ $1 == -[!-]* ]]; then
    builtin trap "$@" 2>&9
    return
  fi
  if [[ $1 == -- ]]; then shift; fi
  local code=- sig
  local -a rest=()
  if (( $# > 1 )); then code=$1; shift; fi
  for sig; do
    case \${sig^^} in
      ERR|SIGERR) if [[ $code == - ]]; then __pr_uerr=; else __pr_uerr=$code; fi; __pr_set_err ;;
      EXIT|SIGEXIT|0) if [[ $code == - ]]; then __pr_uexit=; else __pr_uexit=$code; fi ;;
      *) rest+=("$sig") ;;
    esac
  done
  if (( \${#rest[@]} )); then builtin trap -- "$code" "\${rest[@]}" 2>&9; fi
}
# Typed after each script: ends the request with the script's status, or the one it unwound with.
__pr_end() {
  local s=$1
  builtin set +e
  if [[ -n $__pr_unw ]]; then s=$__pr_rs; fi
  __pr_finish "$s"
  __pr_st=$__pr_rs
  if [[ \${PROMPT_COMMAND[0]-} != __pr_pre ]] || (( \${#PROMPT_COMMAND[@]} < 2 )) || [[ \${PROMPT_COMMAND[-1]} != __pr_post ]]; then __pr_install; fi
  return "$__pr_st"
}
# Puts the shell back as it was before the request (options, traps, environment) after running
# an EXIT trap the script set, as bash does when a script ends. $1: the request's status; the
# final one (an \`exit\` in that EXIT trap changes it) is left in __pr_rs.
__pr_finish() {
  builtin set +e
  if [[ -n $__pr_armed ]]; then __pr_unarm; fi
  __pr_unw= __pr_rs=$1
  local code=$__pr_uexit
  __pr_uexit= __pr_uerr=
  if [[ -n $code ]]; then
    # with the request's stdin and environment, as the script had them
    builtin trap - ERR
    if [[ $__pr_mode == null ]]; then
      __pr_env_null __pr_run_code "$code" "$1" </dev/null
    else
      __pr_env_tty __pr_run_code "$code" "$1"
    fi
    if [[ -n $__pr_armed ]]; then __pr_unarm; fi
  fi
  builtin unset -f exit trap
  builtin trap - ERR EXIT DEBUG RETURN HUP INT QUIT TERM USR1 USR2 ALRM PIPE CHLD WINCH
  builtin eval "$__pr_traps"
  # the options as they were (a function call only when one differs)
  if [[ $__pr_flags != *E* ]]; then builtin set +E; fi
  if [[ $- != "$__pr_flags" ]]; then __pr_restore_flags; fi
  local f=
  if [[ -o pipefail ]]; then f=p; fi
  if [[ -o posix ]]; then f+=x; fi
  if [[ $__pr_lopts == *w* ]]; then builtin shopt -s checkwinsize; fi
  if [[ -n $__pr_lsn || \${BASH_ALIASES[ps]-} == "$__pr_psn" ]]; then __pr_unnarrow; fi
  if [[ \${__pr_lopts%%[dw]*} != "$f" ]]; then __pr_restore_long; fi
  if [[ -z \${BASH_ALIASES[__pr_done]+x} ]]; then __pr_aliases; fi
  __pr_req= __pr_unw= __pr_after=1
}
# A request without a terminal as stdin (a machine's) gets replies as narrow as a pipe's
# (exec/request-env.ts, README "The environment of a request"): COLUMNS=80 there is kept from
# checkwinsize, which would set it back to the terminal's width after each program, and \`ls\`
# lists one name a line, as it does into a pipe (it reads the terminal's width, not COLUMNS; a
# user's \`ls\` alias keeps its own options after the -1). \`ps\` would cut its lines at COLUMNS,
# which into a pipe it never does: without an alias of the user's it gets a width of its own.
__pr_lsa= __pr_lsh= __pr_lsn=
__pr_psn='COLUMNS=131072 ps'
__pr_narrow() {
  if builtin shopt -q checkwinsize; then builtin shopt -u checkwinsize; __pr_lopts+=w; fi
  if [[ -z \${BASH_ALIASES[ps]+x} ]]; then BASH_ALIASES[ps]=$__pr_psn; fi
  __pr_lsh=\${BASH_ALIASES[ls]+1} __pr_lsa=\${BASH_ALIASES[ls]-}
  if [[ -z $__pr_lsh ]]; then __pr_lsn='ls -1'
  elif [[ $__pr_lsa == ls ]]; then __pr_lsn='ls -1'
  elif [[ $__pr_lsa == 'ls '* ]]; then __pr_lsn="ls -1 \${__pr_lsa#ls }"
  else __pr_lsn=; return 0; fi
  BASH_ALIASES[ls]=$__pr_lsn
}
# Puts the ls and ps aliases back, unless the request itself changed them.
__pr_unnarrow() {
  if [[ \${BASH_ALIASES[ps]-} == "$__pr_psn" ]]; then builtin unalias ps; fi
  if [[ -n $__pr_lsn && \${BASH_ALIASES[ls]-} == "$__pr_lsn" ]]; then
    if [[ -n $__pr_lsh ]]; then BASH_ALIASES[ls]=$__pr_lsa; else builtin unalias ls; fi
  fi
  __pr_lsn=
}
# Runs trap code $1 with $? set to $2.
__pr_run_code() {
  if __pr_status "$2"; then builtin eval "$1"; else builtin eval "$1"; fi
}
__pr_status() { return "$1"; }
__pr_restore_flags() {
  local f
  for f in a e f h k m u v x B C E H P T; do
    if [[ $__pr_flags == *$f* ]]; then
      if [[ $- != *$f* ]]; then builtin set -$f; fi
    elif [[ $- == *$f* ]]; then
      builtin set +$f
    fi
  done
}
__pr_restore_long() {
  if [[ $__pr_lopts == *p* ]]; then builtin set -o pipefail; else builtin set +o pipefail; fi
  if [[ $__pr_lopts == *x* ]]; then builtin set -o posix; else builtin set +o posix; fi
}
# After a request, before the marks are printed: a script's \`exec >file\` or \`exec <file\` must
# not take the shell's terminal away. (Plain exec: the redirections of builtin exec do not stay.)
__pr_fix_fds() {
  if [[ ! -t 0 ]]; then exec </dev/tty; fi
  if [[ ! -t 1 ]]; then exec >/dev/tty; fi
  if [[ ! -t 2 ]]; then exec 2>/dev/tty; fi
}
`;
