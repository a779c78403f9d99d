import { describe, expect, it } from 'vitest';
import { isCompleteCommand } from '../../../../src/daemon/exec/bash-syntax';

const COMPLETE = [
  'pwd\n',
  'whoami && pwd\n',
  'cd /tmp\n',
  'echo "a b" \'c d\'\n',
  'echo "$(date +%s)" `uname`\n',
  'echo "x $(echo "nested ) paren") y"\n',
  'if true; then echo y; fi\n',
  'if a; then b; elif c; then d; else e; fi\n',
  'for i in 1 2 3; do echo $i; done\n',
  'for ((i=0; i<3; i++)); do echo $i; done\n',
  'for ((i=0; i<3; i++)) do echo $i; done\n',
  'while read -r l; do echo "$l"; done < f\n',
  'until false; do break; done\n',
  'case $x in a|b) echo ab;; (c) echo c;; *) echo other;; esac\n',
  'f() { echo f; }\n',
  'function g { echo g; }\n',
  'function h() {\n  echo h\n}\n',
  '{ echo a; echo b; } > out\n',
  '(cd /tmp && ls)\n',
  'echo ${HOME} ${x:-default} ${#arr[@]}\n',
  'echo $((1 + (2 * 3)))\n',
  'cat <<EOF\nline $x\nEOF\n',
  "cat <<'EOF' | grep x\nraw ( { if\nEOF\n",
  'cat <<-EOF\n\tindented\n\tEOF\n',
  'cat <<A; cat <<B\na\nA\nb\nB\n',
  'cat <<< "here string"\n',
  'echo done # if while ( comment\n',
  'echo a#b\n',
  'echo $#\n',
  'sleep 10 &\n',
  'echo if then fi do done\n',
  "echo $'it\\'s'\n",
  '[[ $x =~ ^(a|b)$ ]] && echo m\n',
  'x=1\nif [ $x = 1 ]; then\n  echo yes\nfi\n',
  '#!/bin/bash\necho shebang\n',
  'echo "multi\nline string"\n',
  'echo a \\\n  b\n',
];

const INCOMPLETE = [
  'if true; then\n',
  'if true; then echo y\n',
  'for i in 1 2; do\n',
  'while true\n',
  'case $x in\n  a) echo a;;\n',
  'f() {\n',
  'function g {\n  echo\n',
  '{ echo a\n',
  '(cd /tmp\n',
  'echo "unterminated\n',
  "echo 'unterminated\n",
  'echo $(date\n',
  'echo `date\n',
  'echo ${x\n',
  'cat <<EOF\nno end\n',
  'cat <<EOF\n',
  'ls |\n',
  'true &&\n',
  'false ||\n',
  'echo a \\\n',
  'echo "$(echo \')\n',
];

describe('isCompleteCommand', () => {
  it.each(COMPLETE)('complete: %j', (text) => expect(isCompleteCommand(text)).toBe(true));
  it.each(INCOMPLETE)('incomplete: %j', (text) => expect(isCompleteCommand(text)).toBe(false));

  it('never calls a prefix of a complete multi-line script complete in the middle of a block', () => {
    const script = 'x=1\nif [ $x = 1 ]; then\n  for i in a b; do\n    echo "$i"\n  done\nfi\necho end\n';
    const lines = script.split('\n');
    const verdicts = lines.slice(1).map((_, i) => isCompleteCommand(`${lines.slice(0, i + 1).join('\n')}\n`));
    expect(verdicts).toEqual([true, false, false, false, false, true, true]);
  });
});
