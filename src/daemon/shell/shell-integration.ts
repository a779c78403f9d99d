// The bash rc that turns an interactive shell into one whose command boundaries we can see.
// See marks.ts for the marks it prints and DESIGN.md §2 for why exec runs `source FILE`; the
// guard that keeps a request's `exit`, `set -e` and options inside it is request-guard.ts.
import { renderNoEditor, requestAssignments, type StdinMode } from './request-env';
import { ACK_FIFO_NAME } from './newlines';
import { REQUEST_GUARD } from './request-guard';
import { SHELL_REBIRTH } from './shell-rebirth';
import { TYPED_BYTES } from './marks';

// Quotes a string for bash as a single word.
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// Which rc a shell was started with: 2 runs the session's script file through the aliases
// `__pr_rn`/`__pr_rt`; 1 (releases before it, seen in shells adopted from them, see upgrade/)
// typed the file's path after `__pr_go_MODE`.
export const INTEGRATION = 2;

// The rc file for one session, whose exec jobs run `scriptPath` (script-file.ts). It honours
// ~/.bashrc first, then installs our hooks around the user's own PROMPT_COMMAND so that their
// hooks still see the right `$?`.
export function renderRc(nonce: string, scriptPath: string): string {
  const m = (kind: string): string => `\\e]133;${kind};prn=${nonce}\\a`;
  return `# pty-relay shell integration (generated per session; removed once read)
if [[ -f ~/.bashrc ]]; then source ~/.bashrc; fi
# The files this rc makes in the session's private directory are private whatever the user's
# umask; theirs (the daemon's, as their login gave it, or ~/.bashrc's) is back at the rc's end.
__pr_um=$(builtin umask)
builtin umask 077
__pr_st=
# Runs first before each prompt: reports how the last command ended, then keeps \`$?\`. A request
# whose line was cut short (Ctrl-C) is ended here.
__pr_pre() {
  local s=$?
  if [[ -n $__pr_req ]]; then __pr_finish "$s"; s=$__pr_rs; fi
  if [[ -n $__pr_after ]]; then __pr_after=; [[ -t 0 && -t 1 && -t 2 ]] || __pr_fix_fds; fi
  if [[ -n $__pr_st ]]; then s=$__pr_st; __pr_st=; fi
  # G (output processing on again) goes out in the same write as D: the daemon reads both at once.
  if [[ -n $__pr_off ]]; then
    __pr_next
    printf '${m('D;%s')}\\e]7;file://%s%s\\a${m('G;%s;%s')}' "$s" "$HOSTNAME" "$PWD" "$__pr_seq" "$EPOCHREALTIME"
    __pr_wait
  else
    printf '${m('D;%s')}\\e]7;file://%s%s\\a' "$s" "$HOSTNAME" "$PWD"
  fi
  return "$s"
}
# Runs last before each prompt: the shell is idle again. PS1 ends with the B mark (what the shell
# prints after it at the prompt is not its prompt: idle-output.ts), put back if a command or a
# hook set PS1 anew.
__pr_pb=$'\\[${m('B')}\\]'
__pr_post() {
  local s=$?
  [[ $PS1 == *"$__pr_pb" ]] || PS1+=$__pr_pb
  printf '${m('A')}'
  return "$s"
}
# Puts our hooks first and last in PROMPT_COMMAND, even after a command rewrote it.
__pr_install() {
  local e
  if (( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )); then
    local -a keep=()
    for e in "\${PROMPT_COMMAND[@]}"; do
      [[ $e == __pr_pre || $e == __pr_post || -z $e ]] || keep+=("$e")
    done
    PROMPT_COMMAND=(__pr_pre "\${keep[@]}" __pr_post)
  else
    e=\${PROMPT_COMMAND//__pr_pre;/}
    e=\${e//;__pr_post/}
    PROMPT_COMMAND="__pr_pre;\${e:+$e;}__pr_post"
  fi
}
# The terminal's settings as the shell started: a full-screen program that dies, or one started
# with stdin not a terminal (vim </dev/null), can leave them zeroed, which breaks line editing.
__pr_tty=$(stty -g 2>/dev/null)
__pr_fixtty() { [[ -n $__pr_tty ]] && stty "$__pr_tty" 2>/dev/null; }
# The FIFO an exec job waits on while the daemon turns output processing off (newlines.ts); none
# without mkfifo or EPOCHREALTIME (bash < 5): jobs then run with it on, as before.
__pr_ack=\${BASH_SOURCE[0]%/*}/${ACK_FIFO_NAME}
if [[ -z \${EPOCHREALTIME-} ]] || ! { [[ -p $__pr_ack ]] || command mkfifo -m 600 -- "$__pr_ack"; } 2>/dev/null; then __pr_ack=; fi
__pr_off= __pr_seq=0
# Mark F (output processing off for this job, please) or G (on again) carries the next digit
# (__pr_next) and the time; __pr_wait then waits up to 1 s for the daemon's answer, two bytes: the
# digit (an answer to an earlier mark the shell gave up on is skipped), then o (it is off now) or
# n. Both waits matter: readline saves the terminal's settings when it starts reading a line and
# puts them back after it, so they must be switched between those moments, not while it reads.
# The wait comes as late as it can (after the request guard's set-up for F, in the same write as
# D for G), so that the daemon answers while the shell works on and the shell seldom has to sleep
# and be woken for it. (Two bytes because bash reads a FIFO one byte per system call.)
__pr_next() { __pr_seq=$(( (__pr_seq + 1) % 10 )) __pr_off=; }
__pr_wait() {
  local a
  while builtin read -r -N 2 -t 1 a <> "$__pr_ack"; do
    if [[ $a == "$__pr_seq"? ]]; then [[ $a == ?o ]] && __pr_off=1; break; fi
  done
  return 0
}
__pr_ask() {
  __pr_next
  builtin printf '${m('%s;%s;%s')}' "$1" "$__pr_seq" "$EPOCHREALTIME"
}
${renderNoEditor()}${renderAliases(scriptPath)}${REQUEST_GUARD}${SHELL_REBIRTH}${renderTyped(m('T;%s;%s'))}__pr_install
PS0="\${PS0-}"$'${m('C')}'
case \${HISTCONTROL-} in
  *ignorespace*|*ignoreboth*) ;;
  *) HISTCONTROL="\${HISTCONTROL:+$HISTCONTROL:}ignorespace" ;;
esac
builtin umask "\${__pr_um:-022}"
builtin unset __pr_um
`;
}

// What a person types: Return (C-m), where it accepts the line, first runs __pr_typed, which
// prints the line's first bytes in hex in a T mark (marks.ts) for the session lists; no fork, and
// nothing at all for an exec job's line, which ends in C-j (runLine). The rebirth's dump calls
// __pr_keys again (shell-rebirth.ts).
function renderTyped(mark: string): string {
  return `__pr_typed() {
  [[ -n $READLINE_LINE ]] || return 0
  local LC_ALL=C f=\${READLINE_LINE%%$'\\n'*} r h= c i
  r=\${READLINE_LINE:\${#f}} f=\${f:0:${TYPED_BYTES}}
  r=\${r//[!$'\\n']/}
  for (( i = 0; i < \${#f}; i++ )); do builtin printf -v c %02x "'\${f:i:1}"; h+=$c; done
  builtin printf '${mark}' "\${#r}" "$h"
}
__pr_keys() {
  local km l
  for km in emacs vi-insert vi-command; do
    builtin bind -m "$km" -q accept-line >| "$__pr_scratch" 2>/dev/null || continue
    IFS= builtin read -r l < "$__pr_scratch"
    [[ $l == *'"\\C-m"'* ]] || continue
    builtin bind -m "$km" -x '"\\e[9926~": __pr_typed'
    builtin bind -m "$km" '"\\e[9927~": accept-line'
    builtin bind -m "$km" '"\\C-m": "\\e[9926~\\e[9927~"'
  done
} 2>/dev/null
__pr_keys
`;
}

// The words of the request line (see runLine), as aliases, defined again after each request in
// case a script removed them. Readline reads a typed line a byte at a time (three system calls
// and a redisplay check each, ~10 µs), so the typed line is one short word: `__pr_rn` (stdin
// /dev/null) or `__pr_rt` (the terminal) expands to `{ __pr_begin MODE; } 2>/dev/null; VAR=… …
// [</dev/null] source FILE; { __pr_end $?; } 2>/dev/null`: the request's environment as bash's
// temporary environment of `source` (request-env.ts), around the session's script file.
function renderAliases(scriptPath: string): string {
  const alias = (name: string, text: string): string => `  alias ${name}=${shellQuote(text)}\n`;
  const modes: StdinMode[] = ['null', 'tty'];
  let body = '';
  for (const mode of modes) {
    body += alias(`__pr_env_${mode}`, `${requestAssignments(mode)} `);
    const source = `__pr_env_${mode} ${mode === 'null' ? '</dev/null ' : ''}source ${shellQuote(scriptPath)}`;
    body += alias(runWord(mode), `{ __pr_begin ${mode}; } 2>/dev/null; ${source}; __pr_done`);
  }
  body += alias('__pr_done', '{ __pr_end $?; } 2>/dev/null');
  return `__pr_aliases() {\n${body}}\n__pr_aliases\n`;
}

export interface RunOptions {
  // \`null\` (default): stdin is /dev/null, so a command that reads stdin gets EOF at once instead
  // of hanging, and the machine environment applies (request-env.ts). \`tty\`: stdin is the
  // terminal, for #!interactive.
  stdin?: StdinMode;
  raw?: boolean; // output post-processing off for the job (`#!raw`), so bytes arrive exactly
}

function runWord(mode: StdinMode): string {
  return mode === 'tty' ? '__pr_rt' : '__pr_rn';
}

// The line typed into the shell to run the session's script file. C-e C-u clear a half-typed
// human line; the leading space keeps it out of history; the aliases (renderAliases) wrap
// \`source FILE\` in the guard that keeps the script's exit, set -e and options inside the
// request (request-guard.ts) and give it the request's environment. It ends in C-j, not Return,
// so that no key binding of ours runs for it (renderTyped). A shell started
// with an rc of integration 1 gets the file's path typed (`legacyPath`).
// A raw job runs with `stty -opost` around it, so the PTY passes its bytes through untouched.
export function runLine(opts: RunOptions = {}, legacyPath?: string): string {
  const mode = opts.stdin ?? 'null';
  const run = legacyPath === undefined ? runWord(mode) : `__pr_go_${mode} ${shellQuote(legacyPath)}; __pr_done`;
  return opts.raw === true ? `\x05\x15 stty -opost; ${run}; stty opost\n` : `\x05\x15 ${run}\n`;
}

// Typed after a job that may have left the terminal's settings broken (see __pr_fixtty). C-a C-k
// clear the line without relying on the terminal's kill character, which such a job may have unset.
export function repairLine(): string {
  return '\x01\x0b __pr_fixtty\n';
}

// Output that shows a program took over the terminal (alternate screen, application keypad or
// cursor keys): after such a job the shell's terminal settings are restored.
export function takesOverTerminal(data: Buffer): boolean {
  for (let i = data.indexOf(0x1b); i !== -1; i = data.indexOf(0x1b, i + 1)) {
    const s = data.toString('latin1', i + 1, i + 8);
    if (s.startsWith('[?1049h') || s.startsWith('[?47h') || s.startsWith('[?1h') || s.startsWith('=')) return true;
  }
  return false;
}

// Drawn for attached terminals (and the screen mirror) after a full-screen program was killed
// with SIGKILL and so could not undo its modes: main screen, cursor shown, normal cursor keys and
// keypad, mouse reporting and bracketed paste off.
export const TERMINAL_RESET = '\x1b[?1049l\x1b[?25h\x1b[?1l\x1b>\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\r\n';
