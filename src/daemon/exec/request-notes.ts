// What the relay says about a request that would otherwise pass in silence, when the silence
// would mislead (README "Letting an AI agent drive it"): a directive line after the command (bash
// takes it for a comment), an option change that the request guard puts back when the request
// ends (shell/request-guard.ts), a program that met a request's empty stdin and ended at once, a
// queued request that ran and printed nothing. Pure functions of the request's text and its job;
// each says nothing about ordinary commands.
import { DIRECTIVE_RE } from '../../protocol/exec-text';
import { preview, type Job } from '../jobs/job';
import { DIRECTIVE_NAMES } from './request';
import { stdinReaders } from './stdin-readers';

// "`#!wait 3` is not a directive here: …" for directive lines among a request's commands.
export function strayDirectives(script: string): string | null {
  const stray = script.split('\n').filter((line) => {
    const m = DIRECTIVE_RE.exec(line);
    return m !== null && DIRECTIVE_NAMES.includes(m[1] as string);
  });
  const first = stray[0];
  if (first === undefined) return null;
  const more = stray.length > 1 ? ` (and ${stray.length - 1} more)` : '';
  return `\`${preview(first.trim(), 40)}\`${more} is not a directive here (bash took it for a comment): directives count only on a request's first lines, before any command; send it as a request of its own`;
}

// `set` arguments that change what the guard puts back: the letters in `$-` it restores, and the
// same options by name (plus pipefail and posix). `set -o vi`, `set -- ARGS`, shopt: they stay.
const SET_WORD = String.raw`(?:[-+][aefhkmuvxBCEHPT]*o\s+(?:allexport|errexit|noglob|hashall|keyword|monitor|nounset|verbose|xtrace|braceexpand|noclobber|errtrace|histexpand|physical|functrace|pipefail|posix)|[-+][aefhkmuvxBCEHPT]+)`;
const SET_RE = new RegExp(String.raw`^set(?:\s+${SET_WORD})+$`);
// `trap CODE SIGNAL…` sets a trap; `trap`, `trap -p`, `trap -l` only print.
// A line that only sets a trap: its code one word or quoted, then signal names or numbers.
const TRAP_RE = /^trap\s+(?!-[lp]\b)(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'";&|]+)(?:\s+[A-Za-z0-9_+-]+)+\s*;?$/;

// "`set -x` lasts only for this request: …" when a request does nothing but change options or
// traps, which the request guard puts back when it ends; null otherwise (a request that also runs
// commands used them: nothing to say).
export function optionsPutBack(script: string): string | null {
  const lines = script.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return null;
  for (const line of lines) {
    if (TRAP_RE.test(line)) continue;
    const parts = line.split(/;|&&/).map((p) => p.trim()).filter((p) => p !== '');
    if (parts.length === 0 || !parts.every((p) => SET_RE.test(p))) return null;
  }
  return `\`${preview(script, 40)}\` lasted only for this request: the options and traps a request sets are put back when it ends (cd, export, functions and aliases stay); send it in the same request as the commands it is for`;
}

// A program that read the empty stdin of a request ends "at once": within this long (a python
// start under a loaded machine is well inside it; a build that reads stdin by the way is not).
const AT_ONCE_MS = 5_000;
// Programs that read the keyboard when started with nothing to run: REPLs and shells (they read
// EOF and end) and full-screen programs that refuse a stdin that is not a terminal.
const READERS = /^(?:python[0-9.]*|ipython3?|node|nodejs|irb|ruby|bash|sh|dash|zsh|bc|dc|lua[0-9.]*|ghci|php|top|htop|btop)$/;
// Database clients: a REPL with a database named (sqlite3 FILE, psql -U me db) unless told to run
// something and end (a second word for sqlite3, -c/-e/-f/-l, --version …).
const DB_CLIENTS = /^(?:sqlite3|psql|mysql|mariadb|redis-cli)$/;
const RUNS_SOMETHING = /^(?:-[a-zA-Z]*[cefmlV]|-cmd|--(?:command|execute|file|version|help|list)(?:=.*)?|-help)$/;
// Python's input() at end of file.
const PY_EOF = 'EOFError: EOF when reading a line';

// "`python3` ended at once: a request's stdin is empty …" when a program ended within AT_ONCE_MS
// after meeting the empty stdin of a request without `#!interactive`: its output ends with Python's
// EOFError, or the request is one keyboard-reading program with nothing to run. "`read -p …` got
// nothing: …" when the request's text runs bash's `read` on its stdin, which on /dev/null returns
// at once, empty, and silently (bash shows `-p`'s prompt only to a terminal). "`grep foo` read an
// empty stdin: …" when it runs a filter given no file (cat, grep, sort, wc, jq …, `python3 -`),
// which then reads stdin: no input, and often no output. Ordinary commands (`cat file`,
// `grep x f`, `x | grep y`, `read x < f`) say nothing.
export function emptyStdin(script: string, job: Job): string | null {
  if (job.spec.interactive || job.state !== 'done') return null;
  const reader = stdinReaders(script)[0];
  // (A request that is one `read` and succeeded read something: its stdin was not empty.)
  if (reader?.read === true && !(reader.text === script.trim() && job.status === 0)) return `\`${preview(reader.text, 40)}\` got nothing: a request's stdin is empty (/dev/null), so \`read\` returns at once; to answer its prompt, send the request with #!interactive as its first line (stdin is then the terminal) and the answer with #!send`;
  if (reader?.read === false) return `\`${preview(reader.text, 40)}\` read an empty stdin: a request's stdin is /dev/null, so it got no input; give it a file operand or pipe into it, or send the request with #!interactive as its first line (stdin is then the terminal) and type its input with #!send, ending with \\x04 (Ctrl-D)`;
  const ms = job.durationMs();
  if (ms === null || ms > AT_ONCE_MS) return null;
  const line = script.trim();
  if (!(pyEof(job) || readsKeyboard(line))) return null;
  return `\`${preview(line, 40)}\` ended at once: a request's stdin is empty (/dev/null); for a REPL, a prompt or top, send the request with #!interactive as its first line (stdin is then the terminal)`;
}

// The first `read` in the script that reads the request's stdin (stdin-readers.ts); null if none.
// The script's own text, as written; `read` inside a function called from elsewhere is not seen.
export function stdinRead(script: string): string | null {
  return stdinReaders(script).find((c) => c.read)?.text ?? null;
}

// One program of READERS (with no argument but -i) or DB_CLIENTS on a line of its own.
function readsKeyboard(line: string): boolean {
  if (/[\n|<>;&`$()]/.test(line)) return false;
  const [cmd = '', ...args] = line.split(/\s+/);
  if (READERS.test(cmd)) return args.every((a) => a === '-i');
  if (!DB_CLIENTS.test(cmd) || args.some((a) => RUNS_SOMETHING.test(a))) return false;
  return cmd !== 'sqlite3' || args.filter((a) => !a.startsWith('-')).length <= 1;
}

function pyEof(job: Job): boolean {
  const from = Math.max(job.tail, job.head - 512);
  const r = job.read(from, job.head - from);
  return r.kind === 'data' && r.data.includes(PY_EOF);
}

// "job 4 ran: exit status 0, no output": the end of a reply that told its client the request waits
// in line, for a job that then printed nothing (the reply would otherwise end with that line).
export function ranQuietly(job: Job, toldWaiting: boolean): string | null {
  if (!toldWaiting || job.state !== 'done' || job.status !== 0 || job.head !== 0) return null;
  return `job ${job.id} ran: exit status 0, no output`;
}
