// Silent no-ops say what happened (issue 22), through real nc and real bash: a #!wait or #!kill on
// a job that is over, a directive line after a command, a queued request that printed nothing, the
// output a #!kill stopped, a program that met a request's empty stdin, options that are put back.
// Replies to ordinary commands stay exactly their output.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { execRequests } from '../helpers/exec-requests';
import { waitFor } from '../helpers/deadline';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const { req, live, fifo, ended } = execRequests(() => d);

const STDIN_NOTE = (cmd: string): string =>
  `pty-relay: \`${cmd}\` ended at once: a request's stdin is empty (/dev/null); for a REPL, a prompt or top, send the request with #!interactive as its first line (stdin is then the terminal)\n`;

const READ_NOTE = (read: string): string =>
  `pty-relay: \`${read}\` got nothing: a request's stdin is empty (/dev/null), so \`read\` returns at once; to answer its prompt, send the request with #!interactive as its first line (stdin is then the terminal) and the answer with #!send\n`;

describe('a job that is over', () => {
  it('#!wait names the job, its session, command, age and status, and #!output, when nothing is left', async () => {
    // The trial's worst moment: `#!wait 2` without `#!session side` found the default session's job 2.
    expect(await req(null, 'true\n')).toBe('');
    expect(await req(null, 'ls /nonexistent-noops 2>/dev/null\n')).toBe('pty-relay: exit status 2\n');
    const w = await req(null, '#!wait 2\n');
    expect(w).toMatch(/^pty-relay: job 2 \(`ls \/nonexistent-noops 2>\/dev\/null`\) in session default ended [\d.]+ s ago with exit status 2; it printed nothing\n$/);
    expect(await req('side', 'echo side-out\n')).toBe('side-out\n');
    expect(await req('side', '#!wait 1\n')).toMatch(/^pty-relay: job 1 \(`echo side-out`\) in session side ended [\d.]+ s ago with exit status 0; all 9 bytes of its output were delivered before; again: #!output 1; first line of each: #!session side\n$/);
    expect(await req('side', '#!output 1\n')).toBe('side-out\n');
    expect(await req('side', '#!kill 1\n')).toMatch(/^pty-relay: error: nothing to stop: job 1 \(`echo side-out`\) in session side ended [\d.]+ s ago with exit status 0; its output: #!output 1; first line of each: #!session side\n$/);
  });

  it('#!wait that delivers the rest still ends as before, with the exit status', async () => {
    const f = fifo();
    expect(await req('w2', 'true\n')).toBe(''); // the session's shell is up: the timeout is the job's
    const first = await req('w2', `#!timeout 2\necho before; read x < ${f.path}; echo after; exit 4\n`);
    expect(first).toMatch(/^before\npty-relay: still running as job 2 /);
    f.release();
    await ended('w2', 2);
    expect(await req('w2', '#!wait 2\n')).toBe('after\npty-relay: exit status 4\n');
  });
});

describe('#!kill from nc', () => {
  it('carries the output no reply delivered, then the stopped line; a #!wait after it has nothing new', async () => {
    const f = fifo();
    expect(await req('k1', 'true\n')).toBe('');
    const first = await req('k1', `#!timeout 2\necho early; read x < ${f.path}; echo last-words-1; echo last-words-2; sleep 600\n`);
    expect(first).toMatch(/^early\npty-relay: still running as job 2 /);
    f.release();
    await waitFor('the last words', async () => ((await req('k1', '#!jobs\n')).match(/^2 +running +- +\S+ +\S+ +(\d+)/m)?.[1] === String('early\nlast-words-1\nlast-words-2\n'.length) ? true : undefined));
    expect(await req('k1', '#!kill 2\n')).toBe('last-words-1\nlast-words-2\npty-relay: job 2 stopped by SIGINT (exit status 130); the shell and its state are kept\n');
    expect(await req('k1', '#!wait 2\n')).toMatch(/^pty-relay: job 2 \(`echo early; read x < [^`]+`\) in session k1 was stopped with SIGINT \(#!kill\) [\d.]+ s ago, exit status 130; all \d+ bytes of its output were delivered before; again: #!output 2; first line of each: #!session k1\n$/);
  });

  it('keeps a flood within #!limit: head, what was left out, tail', async () => {
    expect(await req('k2', 'true\n')).toBe('');
    const first = await req('k2', '#!timeout 1\necho start; sleep 2; seq 1 20000; sleep 600\n');
    expect(first).toMatch(/^start\npty-relay: still running as job 2 /);
    const bytes = 'start\n'.length + Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('').length;
    await waitFor('the flood', async () => (new RegExp(`^2 +running +- +\\S+ +\\S+ +${bytes} `, 'm').test(await req('k2', '#!jobs\n')) ? true : undefined));
    const killed = await req('k2', '#!limit 100\n#!kill 2\n');
    expect(killed).toMatch(/^1\n2\n[^]*\npty-relay: \d+ bytes left out \(offsets \d+ to \d+ of job 2's output\); fetch any range: #!output 2 \d+ \d+; first line of each: #!session k2\n[^]*\n20000\npty-relay: job 2 stopped by SIGINT \(exit status 130\); the shell and its state are kept\n$/);
    expect(killed.length).toBeLessThan(600);
  });
});

describe('a directive line after a command', () => {
  it('is named as not a directive, and the command runs', async () => {
    expect(await req('dl', 'echo one\n#!wait 3\necho two\n')).toBe(
      "pty-relay: `#!wait 3` is not a directive here (bash took it for a comment): directives count only on a request's first lines, before any command; send it as a request of its own\none\ntwo\n",
    );
    // A shebang line and a comment are ordinary script.
    expect(await req('dl', '#!/bin/bash\necho three # #!wait 3\n')).toBe('three\n');
  });
});

describe('a queued request', () => {
  it('that prints nothing ends with a line that says it ran, after its waiting line', async () => {
    const f = fifo();
    const holder = live('qe', `read x < ${f.path}; echo held-done\n`);
    await waitFor('the holding job to run', async () => (/^1 +running /m.test(await req('qe', '#!jobs\n')) ? true : undefined));
    const c = live('qe', '#!queue\ncd /tmp\n');
    await waitFor('the waiting line', () => (/waiting\.*$/.test(c.out()) ? true : undefined));
    f.release();
    expect((await c.done).stdout).toMatch(/^pty-relay: job 2 waits for job 1 [^\n]*; waiting\.*\npty-relay: job 2 ran: exit status 0, no output\n$/);
    expect((await holder.done).stdout).toBe('held-done\n');
    // Not queued: exactly its output (nothing).
    expect(await req('qe', 'cd /tmp\n')).toBe('');
  });
});

describe('a request whose stdin is empty', () => {
  it('says so when a program ended at once on it, and suggests #!interactive', async () => {
    expect(await req('si', "python3 -c 'input()'\n")).toMatch(new RegExp(`EOFError: EOF when reading a line\\n${escape(STDIN_NOTE("python3 -c 'input()'"))}pty-relay: exit status 1\\n$`));
    expect(await req('si', 'read x\n')).toBe(`${READ_NOTE('read x')}pty-relay: exit status 1\n`);
    expect(await req('si', 'python3\n')).toBe(STDIN_NOTE('python3'));
    expect(await req('si', 'sqlite3 test.db\n')).toBe(STDIN_NOTE('sqlite3 test.db'));
  });

  it('says so when bash\'s `read` met it, in a script that goes on and succeeds (-p shows no prompt off a terminal)', async () => {
    expect(await req('si3', 'read -p "Name: " x; echo "hi $x"\n')).toBe(`hi \n${READ_NOTE('read -p "Name: " x')}`);
    // as the note says: with #!interactive the prompt shows and #!send answers it
    expect(await req('si3', '#!interactive\nread -p "Name: " x; echo "hi $x"\n')).toMatch(/^Name: \npty-relay: job 2 is waiting for input; prompt: "Name:"; /);
    expect(await req('si3', '#!send bob\\r\n')).toBe('bob\nhi bob\npty-relay: job 2 ended with exit status 0\n');
  });

  it('says nothing about ordinary commands', async () => {
    const file = path.join(d.home, 'noops-file.txt');
    fs.writeFileSync(file, 'x marks\n');
    expect(await req('si2', `cat ${file}\n`)).toBe('x marks\n');
    expect(await req('si2', `grep x ${file}\n`)).toBe('x marks\n');
    expect(await req('si2', `grep nothing-here ${file}\n`)).toBe('pty-relay: exit status 1\n');
    expect(await req('si2', "python3 -c 'print(6*7)'\n")).toBe('42\n');
    expect(await req('si2', `sqlite3 ${path.join(d.home, 'n.db')} 'select 6*7'\n`)).toBe('42\n');
    expect(await req('si2', `read x < ${file}; echo "$x"\n`)).toBe('x marks\n');
  });
});

describe('options a request sets alone', () => {
  it('say that they are put back, only when the request does nothing else', async () => {
    const note = (cmd: string): string =>
      `pty-relay: \`${cmd}\` lasted only for this request: the options and traps a request sets are put back when it ends (cd, export, functions and aliases stay); send it in the same request as the commands it is for\n`;
    expect(await req('op', 'set -x\n')).toBe(note('set -x'));
    expect(await req('op', 'echo $-\n')).not.toMatch(/x/);
    expect(await req('op', 'set -euo pipefail\n')).toBe(note('set -euo pipefail'));
    expect(await req('op', "trap 'echo bye' EXIT\n")).toBe(`bye\n${note("trap 'echo bye' EXIT")}`);
    // With the commands it is for: exactly the output.
    expect(await req('op', 'set -e; echo used\n')).toBe('used\n');
    // What stays says nothing.
    expect(await req('op', 'shopt -s globstar\n')).toBe('');
    expect(await req('op', 'shopt -q globstar && echo kept\n')).toBe('kept\n');
  });
});

// A string as a literal part of a RegExp.
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a session name one typo away from an existing one', () => {
  it('says that a new session started and names the one meant; an unlike name starts quietly', async () => {
    expect(await req('typo-build', 'cd /tmp; pwd\n')).toBe('/tmp\n');
    const reply = await req('typo-biuld', 'pwd\n');
    expect(reply).toMatch(/^pty-relay: new session "typo-biuld" started; did you mean "typo-build"\? \(sessions: default, .*typo-build\)\n/);
    expect(reply.endsWith(`\n${d.home}\n`)).toBe(true);
    expect(await req('typo-build', 'pwd\n')).toBe('/tmp\n');
    expect(await req('unrelated-name', 'echo quiet\n')).toBe('quiet\n');
  });
});

describe('a request with directives and no command', () => {
  it('says that there was nothing to run; a blank request stays silent', async () => {
    expect(await req('nr', '#!timeout 5\n')).toBe('pty-relay: nothing to run: the request had directives but no command (a command goes on the lines after them); first line of each: #!session nr\n');
    expect(await req(null, '\n')).toBe('');
    expect(await req('nr', 'echo ran\n')).toBe('ran\n');
  });
});
