// What the relay says about a request's own text: tables of requests that must and must not get a line.
import { describe, expect, it } from 'vitest';
import { Job } from '../../../../src/daemon/jobs/job';
import { emptyStdin, optionsPutBack, ranQuietly, stdinRead, strayDirectives } from '../../../../src/daemon/exec/request-notes';

// A job of `command` that ended with `status` after `ms`, having printed `output`.
function ended(command: string, status: number, output = '', ms = 50, interactive = false): Job {
  const job = new Job(1, { command, origin: 'exec', interactive, raw: false });
  job.start();
  if (output !== '') job.append(Buffer.from(output));
  job.end({ kind: 'exit', status });
  (job as { startedAt: Date | null }).startedAt = new Date((job.endedAt as Date).getTime() - ms);
  return job;
}

describe('strayDirectives', () => {
  it.each(['echo a\n#!wait 3\n', 'ls\n#!session side\n', 'x\n  \n#!kill\n'])('names a directive after a command: %j', (s) => {
    expect(strayDirectives(s)).toMatch(/is not a directive here/);
  });
  it.each(['echo a\n', '#!/bin/bash\necho a\n', 'echo "#!wait 3"\n', 'echo a # #!wait\n', '#!bogus-word\n'])('says nothing about %j', (s) => {
    expect(strayDirectives(s)).toBeNull();
  });
});

describe('optionsPutBack', () => {
  it.each(['set -x', 'set -e\n', 'set -euo pipefail', 'set +o posix; set -o noclobber', "trap 'echo bye' EXIT", 'set -x && set -u'])('says so for %j', (s) => {
    expect(optionsPutBack(s)).toMatch(/lasted only for this request/);
  });
  it.each(['set -x; make', 'set -o vi', 'set -- a b', 'shopt -s globstar', 'trap -p', 'trap', 'echo set -x', '', "trap 'echo cleanup $?' EXIT; echo body; exit 2", "trap 'rm -f x' EXIT\nmake"])('says nothing for %j', (s) => {
    expect(optionsPutBack(s)).toBeNull();
  });
});

describe('emptyStdin', () => {
  it.each([
    ["python3 -c 'input()'", 1, 'Traceback …\nEOFError: EOF when reading a line\n'],
    ['python3 ask.py', 1, 'Name? Traceback …\nEOFError: EOF when reading a line\n'],
    ['python3', 0, ''],
    ['python3 -i', 0, ''],
    ['sqlite3', 0, ''],
    ['sqlite3 test.db', 0, ''],
    ['psql -U me shop', 2, ''],
    ['top', 1, 'top: failed tty get\n'],
  ] as const)('says so for %j', (cmd, status, out) => {
    expect(emptyStdin(cmd, ended(cmd, status, out))).toMatch(/ended at once: a request's stdin is empty/);
  });
  it.each([
    ['read x', 1, 'read x'],
    ['read -r -p "Go? " ans', 1, 'read -r -p "Go? " ans'],
    ['read -p "Name: " x; echo "hi $x"', 0, 'read -p "Name: " x'],
    ['echo start\nif read -r -p "Continue? [y/N] " yn; then make; fi', 0, 'read -r -p "Continue? [y/N] " yn'],
  ] as const)('says that `read` got nothing, even at a later success, for %j', (cmd, status, read) => {
    // (a `read` at once, then a long build: the note is still true)
    expect(emptyStdin(cmd, ended(cmd, status, '', 60_000))).toBe(
      `\`${read}\` got nothing: a request's stdin is empty (/dev/null), so \`read\` returns at once; to answer its prompt, send the request with #!interactive as its first line (stdin is then the terminal) and the answer with #!send`,
    );
  });
  it.each([
    ['cat notes.txt', 0, 'x\n'],
    ['grep x f', 1, ''],
    ['python3 -c "print(1)"', 0, '1\n'],
    ['python3 script.py', 0, ''],
    ['sqlite3 test.db "select 1"', 0, '1\n'],
    ['psql -c "select 1"', 0, ''],
    ['read x < file', 0, ''],
    ['read x', 0, ''],
    ['python3 --version', 0, 'Python 3\n'],
  ] as const)('says nothing for %j', (cmd, status, out) => {
    expect(emptyStdin(cmd, ended(cmd, status, out))).toBeNull();
  });
  it('says that a filter given no file read the empty stdin, whenever it ended (`cat | python3`: cat read it)', () => {
    for (const [cmd, filter] of [['cat', 'cat'], ['cat | python3', 'cat'], ['make && wc -l', 'wc -l']] as const) {
      expect(emptyStdin(cmd, ended(cmd, 0, '', 60_000))).toBe(
        `\`${filter}\` read an empty stdin: a request's stdin is /dev/null, so it got no input; give it a file operand or pipe into it, or send the request with #!interactive as its first line (stdin is then the terminal) and type its input with #!send, ending with \\x04 (Ctrl-D)`,
      );
    }
  });
  it('says nothing after #!interactive or past a few seconds', () => {
    expect(emptyStdin('python3', ended('python3', 0, '', 50, true))).toBeNull();
    expect(emptyStdin('python3', ended('python3', 0, '', 60_000))).toBeNull();
  });
});

describe('stdinRead', () => {
  it.each([
    ['read x < file'],
    ['read x <<< "$v"'],
    ['read -u 3 x'],
    ['read -ru3 x'],
    ['printf a | read x'],
    ['cat f | while read -r l; do echo "$l"; done'],
    ['git log | { read a; read b; }'],
    ['while read -r l; do echo "$l"; done < list.txt'],
    ['while read -r l; do echo "$l"; done < <(ls)'],
    ['{ read a; read b; } <<EOF\n1\n2\nEOF'],
    ['exec < f; read x'],
    ['echo "read x"; echo \'a; read b\''],
    ['cat <<EOF\nread x\nEOF\necho done'],
    ['echo hi # read x'],
    ['thread x; reader'],
  ])('is null for %j', (s) => {
    expect(stdinRead(s)).toBeNull();
  });
  it('names the first one that reads the request\'s stdin', () => {
    expect(stdinRead('cat <<\'EOF\'\nread x\nEOF\nread -p "? " y')).toBe('read -p "? " y');
    expect(stdinRead('ls | wc -l; builtin read z')).toBe('builtin read z');
    expect(stdinRead('x=$(read y; echo $y)')).toBe('read y');
  });
});

describe('ranQuietly', () => {
  it('speaks only after a waiting line, for a success without output', () => {
    expect(ranQuietly(ended('cd /tmp', 0), true)).toBe('job 1 ran: exit status 0, no output');
    expect(ranQuietly(ended('cd /tmp', 0), false)).toBeNull();
    expect(ranQuietly(ended('echo x', 0, 'x\n'), true)).toBeNull();
    expect(ranQuietly(ended('false', 1), true)).toBeNull();
  });
});
