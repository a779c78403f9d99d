// Which command of a request reads the request's stdin (empty: /dev/null, unless #!interactive),
// judged from the request's text alone: bash's `read`, and a filter (cat, grep, sort, wc, jq …)
// given no file to read, so it reads stdin. A command counts only at a command's start, with
// nothing piped into it, no `<`, here-document or here-string of its own, and not inside a block,
// loop or subshell fed a stdin (`done < f`, `} <<EOF`, `x | while …`). When in doubt: nothing
// (a missing note costs less than a false one). Used by request-notes.ts.

// A here-document's start (`<<EOF`, `<<-'END'`; not `<<<`) and its delimiter.
const HEREDOC_RE = /<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

// The script with the bodies of its here-documents blanked (their length kept): text, not commands.
function blankHeredocs(script: string): string {
  let out = script;
  for (const m of script.matchAll(HEREDOC_RE)) {
    if (script[(m.index ?? 0) + 2] === '<') continue;
    const from = script.indexOf('\n', m.index ?? 0);
    if (from === -1) break;
    const end = new RegExp(`^${m[1] === '-' ? '\\t*' : ''}${m[3]}$`, 'm');
    const close = end.exec(script.slice(from + 1));
    const to = close === null ? script.length : from + 1 + close.index;
    out = out.slice(0, from + 1) + out.slice(from + 1, to).replace(/[^\n]/g, ' ') + out.slice(to);
  }
  return out;
}

// Quoted text and comments (the lengths kept: positions map back to the script).
const QUOTED_RE = /'[^']*'|"(?:[^"\\]|\\.)*"|\$'(?:[^'\\]|\\.)*'|(?:^|(?<=\s))#[^\n]*/g;
// A compound command, a subshell or `exec` given a stdin (`done < f`, `} <<EOF`, `exec <f`): the
// commands inside may read that.
const FED_RE = /(?:\bdone|\bfi|\besac|[})]|\bexec(?:\s+0)?)\s*0?<|\|\s*(?:[{(]|while\b|until\b|if\b|for\b)/;
// A function definition: its body runs where it is called (perhaps fed), not where it is written.
const FUNCTION_RE = /\b[A-Za-z_][\w-]*\s*\(\s*\)|\bfunction\s+[A-Za-z_]/;
// Where a simple command ends and the next begins (`|&` is a pipe too; `2>&1` and `&>f` are not).
const SEPARATOR_RE = /(\|\||&&|;;|\|&|[;|\n(){}]|(?<![<>])&(?!>))/;
// Keywords before a command name.
const KEYWORDS_RE = /^(?:(?:if|while|until|then|else|elif|do|!|time)\s+)*/;
// Output redirections (`>out`, `2>&1`, `&>>log`): not operands.
const OUT_REDIRECT_RE = /(?:\d*>>?|&>>?)&?\s*[^\s<>]*/g;

// A simple command of the script: its text as written, and its words (quoted ones as one word).
export interface SimpleCommand {
  text: string;
  read: boolean; // bash's `read`, else a filter
}

// The simple commands that read the request's stdin, in order: `read` and filters with no input
// operand; [] when the script's stdin may be fed to them in ways the text does not show plainly.
export function stdinReaders(script: string): SimpleCommand[] {
  // (quotes become a run of Q so a quoted operand stays a word; comments become spaces)
  const bare = blankHeredocs(script.replace(/\\\n/g, '  ')).replace(QUOTED_RE, (q) => (q.startsWith('#') ? ' ' : 'Q').repeat(q.length));
  if (FED_RE.test(bare)) return [];
  const functions = FUNCTION_RE.test(bare);
  const found: SimpleCommand[] = [];
  const parts = bare.split(SEPARATOR_RE);
  let at = 0;
  let piped = false;
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i] as string;
    const sep = parts[i + 1] ?? '';
    const trimmed = part.trim();
    const keywords = KEYWORDS_RE.exec(trimmed)?.[0].length ?? 0;
    const start = at + (part.length - part.trimStart().length) + keywords;
    at += part.length + sep.length;
    const fed = piped;
    if (trimmed !== '') piped = false;
    if (sep === '|' || sep === '|&') piped = true;
    const body = trimmed.slice(keywords);
    if (body === '' || fed || body.includes('<')) continue;
    const text = script.slice(start, start + body.length);
    // Words as written (the blanked text says where they are; the script says what they are).
    const words = [...body.replace(OUT_REDIRECT_RE, (r) => ' '.repeat(r.length)).matchAll(/\S+/g)].map((m) => text.slice(m.index, (m.index ?? 0) + m[0].length));
    const read = isRead(words);
    if (read || (!functions && readsStdin(words))) found.push({ text, read });
  }
  return found;
}

// bash's `read` without `-u FD` (the redirections were ruled out by the caller).
function isRead(words: string[]): boolean {
  const w = words[0] === 'builtin' || words[0] === 'command' ? words.slice(1) : words;
  return w[0] === 'read' && !w.some((x) => /^-[a-zA-Z]*u/.test(x));
}

// How a filter takes its arguments: the short options that take a value (the rest of the word, or
// the next word), long ones that take the next word when not given `=VALUE`, how many operands
// come before the files (a pattern, a program: `lead`, 'all' when no operand is a file), the
// options that give that lead instead (grep -e), and those after which it reads no stdin (or that
// take arguments this does not follow: then nothing is said).
interface Filter {
  short: string;
  long?: string[];
  lead?: number | 'all';
  leadBy?: RegExp;
  none?: RegExp;
}
const FILTERS: Record<string, Filter> = {
  cat: { short: '' },
  tac: { short: 'bs' },
  nl: { short: 'bdfhilnsvw' },
  head: { short: 'cn' },
  tail: { short: 'cnsF', long: ['--pid', '--sleep-interval'] },
  sort: { short: 'kotSTy', long: ['--key', '--output', '--field-separator', '--buffer-size', '--temporary-directory', '--parallel', '--batch-size', '--compress-program', '--sort', '--random-source'], none: /^--files0-from/ },
  uniq: { short: 'fsw', lead: 0 },
  wc: { short: '', none: /^--files0-from/ },
  cut: { short: 'bcdf', long: ['--bytes', '--characters', '--delimiter', '--fields', '--output-delimiter'] },
  grep: { short: 'efmABCdD', long: ['--regexp', '--file', '--max-count', '--after-context', '--before-context', '--context', '--devices', '--directories', '--label', '--binary-files', '--exclude', '--include', '--exclude-dir', '--group-separator'], lead: 1, leadBy: /^(?:-[a-zA-Z]*[ef]|--regexp|--file)/, none: /^(?:-[a-zA-Z]*[rR]|--recursive|--dereference-recursive|--directories=recurse|-d)/ },
  jq: { short: 'fL', long: ['--indent', '--from-file'], lead: 1, leadBy: /^(?:-[a-zA-Z]*f|--from-file)/, none: /^(?:-[a-zA-Z]*n|--null-input|--arg|--argjson|--slurpfile|--rawfile|--args|--jsonargs)/ },
  awk: { short: 'fvF', long: ['--file', '--assign', '--field-separator'], lead: 1, leadBy: /^(?:-f|--file)/ },
  sed: { short: 'efl', long: ['--expression', '--file', '--line-length'], lead: 1, leadBy: /^(?:-[a-zA-Z]*[ef]|--expression|--file)/ },
  tr: { short: '', lead: 'all' },
  tee: { short: '', lead: 'all' },
  xargs: { short: 'adEeIiLlnPs', lead: 'all', none: /^(?:-a|--arg-file)/ },
  base64: { short: 'w' },
  md5sum: { short: '' },
  sha1sum: { short: '' },
  sha256sum: { short: '' },
  od: { short: 'AjNSstw' },
  xxd: { short: 'cglos' },
};
for (const name of ['gawk', 'mawk']) FILTERS[name] = FILTERS.awk as Filter;
for (const name of ['egrep', 'fgrep']) FILTERS[name] = FILTERS.grep as Filter;

// `words` (a command and its arguments) read stdin: a filter with no file operand (or `-`), an
// interpreter told to read its script from stdin (`python3 -`, `bash -s`), awk whose program
// reads input (not BEGIN alone). --help and --version read nothing.
function readsStdin(words: string[]): boolean {
  let skip = 0; // assignments (`LC_ALL=C sort`) and `command`
  while (skip < words.length && /^(?:[A-Za-z_]\w*=|command$)/.test(words[skip] as string)) skip++;
  const [cmd = '', ...args] = words.slice(skip);
  if (args.some((a) => a === '--help' || a === '--version')) return false;
  const first = args.findIndex((a) => !a.startsWith('-') || a === '-');
  if (/^(?:python[0-9.]*|node|ruby|perl)$/.test(cmd)) return args[first] === '-';
  const opts = first === -1 ? args : args.slice(0, first);
  if (/^(?:bash|sh|dash|zsh)$/.test(cmd)) return opts.some((a) => /^-[a-z]*s[a-z]*$/.test(a)) && !opts.some((a) => /^-[a-z]*c/.test(a));
  const f = FILTERS[cmd];
  if (f === undefined) return false;
  const operands: string[] = [];
  let lead = f.lead ?? 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a === '-' || !a.startsWith('-') || /^-\d/.test(a)) {
      if (!(a.startsWith('-') && a !== '-')) operands.push(a); // (`head -5`: a count)
      continue;
    }
    if (f.none?.test(a) === true) return false;
    if (f.leadBy?.test(a) === true) lead = 0;
    if (a.startsWith('--')) {
      if (!a.includes('=') && (f.long ?? []).includes(a)) i++;
      continue;
    }
    // A bundle of short options: the first that takes a value takes the rest, or the next word.
    const at = [...a.slice(1)].findIndex((c) => f.short.includes(c));
    if (at !== -1 && at === a.length - 2) i++;
  }
  if (lead === 'all') return true;
  if (cmd.endsWith('awk') && lead === 1 && !readsInput(operands[0] ?? '')) return false;
  const files = operands.slice(lead);
  return files.length === 0 || files.includes('-');
}

// An awk program reads input unless it is BEGIN blocks alone.
function readsInput(program: string): boolean {
  const text = program.replace(/^['"]|['"]$/g, '');
  let rest = '';
  let depth = 0;
  let begin = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (depth === 0 && text.startsWith('BEGIN', i)) {
      begin = true;
      i += 4;
      continue;
    }
    if (c === '{') depth++;
    if (depth === 0 || !begin) rest += c;
    if (c === '}' && --depth === 0) begin = false;
  }
  return rest.replace(/[\s;]/g, '') !== '';
}
