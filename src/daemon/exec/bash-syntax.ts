// Decides whether shell text is a complete bash command list, without running bash.
//
// Exec clients such as plain netcat never send EOF, so the daemon must judge on its own when the
// text it has received is a whole request. This is a conservative scanner, not a parser: it tracks
// quotes, escapes, comments, here-documents, brackets and compound keywords. When it is unsure it
// answers "incomplete", which only makes a no-EOF client wait for a longer quiet period.

// `q$(` and `` q` `` are substitutions opened inside double quotes: closing them returns to the quote.
type Frame = '(' | '$(' | 'q$(' | '`' | 'q`' | '{' | '${' | 'if' | 'case' | 'loop' | 'do';

const OPENERS: Record<string, Frame> = { if: 'if', case: 'case', for: 'loop', while: 'loop', until: 'loop', select: 'loop' };
const CLOSERS: Record<string, Frame> = { fi: 'if', esac: 'case', done: 'do' };
// Words after which the next word is again in command position.
const LEADING = new Set(['if', 'while', 'until', 'then', 'else', 'elif', 'do', '!', 'time', '{']);
// Bash splits words on blanks (space, tab) and newlines only: \f, \v or a no-break space are word
// characters to it. (Ending words on `\s` once left those characters unconsumed: a request holding
// one spun the scanner, and the whole daemon, for ever.)
const WORD_END = /[ \t\r\n;&|()<>"'`$\\]/;

interface Heredoc {
  delim: string;
  stripTabs: boolean;
}

// True when `text` is a complete, self-contained list of bash commands.
export function isCompleteCommand(text: string): boolean {
  const stack: Frame[] = [];
  const heredocs: Heredoc[] = [];
  let quote: '' | "'" | '"' | "$'" = '';
  let cmdPos = true; // the next word is a command name, so keywords count
  let fnName = false; // the next word names a function (after `function`)
  let needMore = false; // the text so far ends with an operator that wants another command
  let i = 0;
  const n = text.length;
  const top = (): Frame | undefined => stack[stack.length - 1];
  const closeSubst = (f: Frame | undefined): void => {
    if (f === 'q$(' || f === 'q`') quote = '"';
  };

  while (i < n) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = '';
      i++;
      continue;
    }
    if (quote === "$'") {
      if (c === "'") quote = '';
      i += c === '\\' ? 2 : 1;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = '';
      else if (c === '`') {
        stack.push('q`');
        quote = '';
        cmdPos = true;
      } else if (c === '$' && text[i + 1] === '(') {
        stack.push('q$(');
        quote = '';
        cmdPos = true;
        i++;
      }
      i += c === '\\' ? 2 : 1;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= n || (text[i + 1] === '\n' && i + 2 >= n)) return false; // line continuation
      i += 2;
      cmdPos = false;
      continue;
    }
    if (c === '\n') {
      i++;
      if (heredocs.length > 0) {
        i = consumeHeredocs(text, i, heredocs.splice(0));
        if (i < 0) return false;
      }
      if (!needMore) cmdPos = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' && (i === 0 || /[\s;&|()]/.test(text[i - 1] as string))) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    needMore = false;
    if (c === "'" || c === '"') {
      quote = c;
      i++;
      cmdPos = false;
      continue;
    }
    if (c === '$' && text[i + 1] === "'") {
      quote = "$'";
      i += 2;
      cmdPos = false;
      continue;
    }
    if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      stack.push(text[i + 1] === '(' ? '$(' : '${');
      cmdPos = text[i + 1] === '(';
      i += 2;
      continue;
    }
    if (c === '`') {
      const t = top();
      if (t === '`' || t === 'q`') {
        stack.pop();
        closeSubst(t);
        cmdPos = false;
      } else {
        stack.push('`');
        cmdPos = true;
      }
      i++;
      continue;
    }
    if (c === '(') {
      if (top() !== 'case') stack.push('(');
      i++;
      cmdPos = true;
      continue;
    }
    if (c === ')') {
      const t = top();
      if (t === '(' || t === '$(' || t === 'q$(') {
        stack.pop();
        closeSubst(t);
      } else if (t !== 'case') return false; // unbalanced: bash will report it
      i++;
      cmdPos = true; // `f() {`, and after a case pattern
      continue;
    }
    if (c === '}' && top() === '${') {
      stack.pop();
      i++;
      continue;
    }
    if (c === ';' || c === '&' || c === '|') {
      const two = text.slice(i, i + 2);
      const isTwo = two === ';;' || two === '&&' || two === '||' || two === '|&' || two === ';&';
      i += isTwo ? 2 : 1;
      needMore = c === '|' || two === '&&';
      cmdPos = true;
      continue;
    }
    if (text.startsWith('<<<', i)) {
      i += 3; // a here-string, not a here-document
      continue;
    }
    if (text.startsWith('<<', i)) {
      const doc = readHeredocOperator(text, i + 2);
      if (doc === null) return false;
      heredocs.push(doc.heredoc);
      i = doc.end;
      continue;
    }
    if (c === '<' || c === '>' || c === '$') {
      i++;
      continue;
    }
    // A plain word.
    let j = i;
    const inParam = top() === '${';
    while (j < n && !WORD_END.test(text[j] as string) && !(inParam && text[j] === '}')) j++;
    if (j === i) j++; // never stand still: a character no branch above takes is a word of its own
    const word = text.slice(i, j);
    i = j;
    if (fnName) {
      fnName = false;
      cmdPos = true;
      continue;
    }
    if (!cmdPos) {
      // `for ((;;)) do` puts `do` right after a bracket.
      if (word === 'do' && top() === 'loop') {
        stack.pop();
        stack.push('do');
        cmdPos = true;
      }
      continue;
    }
    const opener = OPENERS[word];
    const closer = CLOSERS[word];
    if (opener !== undefined) stack.push(opener);
    else if (word === 'do') {
      if (top() !== 'loop') return false;
      stack.pop();
      stack.push('do');
    } else if (closer !== undefined || word === '}') {
      if (top() !== (closer ?? '{')) return false;
      stack.pop();
    } else if (word === '{') stack.push('{');
    else if (word === 'function') fnName = true;
    cmdPos = LEADING.has(word);
  }
  return quote === '' && stack.length === 0 && heredocs.length === 0 && !needMore;
}

function readHeredocOperator(text: string, from: number): { heredoc: Heredoc; end: number } | null {
  let i = from;
  const stripTabs = text[i] === '-';
  if (stripTabs) i++;
  while (text[i] === ' ' || text[i] === '\t') i++;
  let delim = '';
  while (i < text.length && !/[\s;&|()<>]/.test(text[i] as string)) {
    const c = text[i] as string;
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return null;
      delim += text.slice(i + 1, close);
      i = close + 1;
    } else if (c === '\\') {
      delim += text[i + 1] ?? '';
      i += 2;
    } else {
      delim += c;
      i++;
    }
  }
  return delim === '' ? null : { heredoc: { delim, stripTabs }, end: i };
}

// Skips the bodies of pending here-documents starting at `from`; returns the index after the last
// delimiter line, or -1 when a body is unterminated.
function consumeHeredocs(text: string, from: number, docs: Heredoc[]): number {
  let i = from;
  for (const doc of docs) {
    for (;;) {
      if (i >= text.length) return -1;
      const nl = text.indexOf('\n', i);
      let line = text.slice(i, nl < 0 ? text.length : nl);
      if (doc.stripTabs) line = line.replace(/^\t+/, '');
      if (nl < 0) return line === doc.delim ? text.length : -1;
      i = nl + 1;
      if (line === doc.delim) break;
    }
  }
  return i;
}
