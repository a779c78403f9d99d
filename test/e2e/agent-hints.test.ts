// Never silent, never a surprise (issue 22, the agent trial's third round), through real nc and real
// bash: a filter given no file says that it read the empty stdin; the prompt of a job waiting for
// input is never its command's own echo line; sessions are listed and ended from nc; an unknown
// directive names the directives an agent types.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { execRequests } from '../helpers/exec-requests';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const { req, live } = execRequests(() => d);

const FILTER_NOTE = (cmd: string): string =>
  `pty-relay: \`${cmd}\` read an empty stdin: a request's stdin is /dev/null, so it got no input; give it a file operand or pipe into it, or send the request with #!interactive as its first line (stdin is then the terminal) and type its input with #!send, ending with \\x04 (Ctrl-D)\n`;

describe('#!sessions and #!end', () => {
  // First in the file: the daemon has no session yet, and listing starts none.
  it('lists the sessions without starting one, and ends one, saying what it ran', async () => {
    expect(await req(null, '#!sessions\n')).toBe('no sessions yet (a command starts the "default" one)\n');
    expect(await req(null, '#!sessions\n')).toBe('no sessions yet (a command starts the "default" one)\n');
    expect(await req('ls-a', 'echo a\n')).toBe('a\n');
    const busy = live('ls-b', '#!timeout 0\nsleep 600\n');
    await waitFor('job 1 running in ls-b', async () => (/^1 +running /m.test(await req('ls-b', '#!nocreate\n#!jobs\n')) ? true : undefined));
    const list = await req(null, '#!sessions\n');
    expect(list).toMatch(/^NAME +PID +HOLDER +CLIENTS +AGE +IDLE +BYTES +STATE +COMMAND\n/);
    expect(list).toMatch(/^ls-a +\d+ .* exit 0 \d+s ago +echo a$/m);
    expect(list).toMatch(/^ls-b +\d+ .* (?:running \d+s|queued) +sleep 600$/m);
    expect(list).not.toMatch(/^default /m);
    // A request queued behind it is told that it did not run, and why.
    const queued = live('ls-b', '#!queue\necho never\n');
    await waitFor('job 2 queued in ls-b', async () => (/^2 +queued /m.test(await req('ls-b', '#!nocreate\n#!jobs\n')) ? true : undefined));
    const ended = await req('ls-b', '#!end\n');
    expect(ended).toMatch(/^pty-relay: session "ls-b" ended, its shell and jobs with it \(it was running job 1: `sleep 600` since \S+ \(\d+ s\); 1 queued request not run\)\n$/);
    expect((await busy.done).stdout).toBe('pty-relay: session "ls-b" was ended with #!end while this request ran: it ended with the shell; the next request that names "ls-b" starts a new session\n');
    expect((await queued.done).stdout).toMatch(/(^|\n)pty-relay: session "ls-b" was ended with #!end before this request ran: it did not run; the next request that names "ls-b" starts a new session\n$/);
    // The next session of that name says once that it is new, and a job of the old one is not found, saying why.
    expect(await req('ls-b', 'echo fresh\n')).toMatch(/^pty-relay: session "ls-b" is new: the one before was ended with #!end at \d\d:\d\d:\d\d; this shell starts afresh \(not the old one's directory, variables or jobs; job numbers go on\)\nfresh\n$/);
    expect(await req('ls-b', 'echo fresh\n')).toBe('fresh\n');
    expect(await req('ls-b', '#!wait 2\n')).toMatch(/^pty-relay: error: no job 2 in session "ls-b" \(see #!jobs\); this session is new since \d\d:\d\d:\d\d: the one before was ended with #!end, its jobs with it\n$/);
    expect(await req('ls-b', '#!end\n')).toBe('pty-relay: session "ls-b" ended, its shell and jobs with it\n');
    // Every process of the session ends with it: a job in a process group of its own too (a
    // `sleep` lived on, re-parented to init), and one that ignores SIGHUP, after the grace.
    const marker = `sleep 47.${process.pid}`;
    const left = (): number => fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() === marker;
      } catch {
        return false;
      }
    }).length;
    expect(await req('ls-c', `#!timeout 0.3\n(trap '' HUP; ${marker}) & ${marker}; echo never\n`)).toMatch(/still running as job 1 /);
    await waitFor('both sleeps to run', () => (left() === 2 ? true : undefined));
    expect(await req('ls-c', '#!end\n')).toMatch(/^pty-relay: session "ls-c" ended/);
    await waitFor('every process of the session to be gone', () => (left() === 0 ? true : undefined), 20_000);
    expect(await req('ls-a', '#!end\n')).toBe('pty-relay: session "ls-a" ended, its shell and jobs with it\n');
    expect(await req(null, '#!sessions\n')).toBe('no sessions yet (a command starts the "default" one)\n');
    expect(await req('ls-gone', '#!end\n')).toBe('pty-relay: error: no session "ls-gone" to end (there are none)\n');
    // A new request that names an ended session starts a new shell there, and says so once.
    expect(await req('ls-a', 'echo again\n')).toMatch(/^pty-relay: session "ls-a" is new: the one before was ended with #!end at [^\n]*\nagain\n$/);
    expect(await req('ls-a', '#!sessions\necho x\n')).toBe('pty-relay: error: #!sessions is about sessions and cannot carry a command; send the command as a request of its own\n');
    expect(await req(null, '#!end ls-a\n')).toBe("pty-relay: error: #!end takes no argument: it ends the request's session (name it with #!session ls-a on a line before)\n");
  });
});

describe('an unknown directive', () => {
  it('names the directives an agent types, a near one, and where the others are described', async () => {
    expect(await req(null, '#!sesion x\necho no\n')).toBe(
      'pty-relay: error: unknown directive "#!sesion" (did you mean #!session?) (known: session, timeout, wait, jobs, send, typeahead, screen, kill, interrupt, interactive, limit, output, queue, nowait, status, sessions, end; the others, for pty-relay\'s own clients, are in the README\'s Directives table)\n',
    );
  });
});

describe('a filter given no file', () => {
  it('says that it read the empty stdin, and how to give it input', async () => {
    expect(await req('fl', 'cat\n')).toBe(FILTER_NOTE('cat'));
    expect(await req('fl', 'grep foo\n')).toBe(`${FILTER_NOTE('grep foo')}pty-relay: exit status 1\n`);
    expect(await req('fl', 'wc -l\n')).toBe(`0\n${FILTER_NOTE('wc -l')}`);
    expect(await req('fl', 'sort -r\n')).toBe(FILTER_NOTE('sort -r'));
    expect(await req('fl', 'jq .\n')).toBe(FILTER_NOTE('jq .'));
    expect(await req('fl', "awk '{print $1}'\n")).toBe(FILTER_NOTE("awk '{print $1}'"));
    expect(await req('fl', 'python3 -\n')).toBe(FILTER_NOTE('python3 -'));
    expect(await req('fl', 'bash -s\n')).toBe(FILTER_NOTE('bash -s'));
    expect(await req('fl', 'cd /tmp && head -n 3\n')).toBe(FILTER_NOTE('head -n 3'));
  });

  it('says nothing when it is given a file or is fed', async () => {
    const dir = path.join(d.home, 'hints-dir');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'in.txt');
    fs.writeFileSync(file, 'b foo\na\n');
    expect(await req('fl2', `cat ${file}\n`)).toBe('b foo\na\n');
    expect(await req('fl2', 'echo foo | grep foo\n')).toBe('foo\n');
    expect(await req('fl2', `grep foo < ${file}\n`)).toBe('b foo\n');
    expect(await req('fl2', `cd ${dir} && grep -r foo .\n`)).toBe('./in.txt:b foo\n');
    expect(await req('fl2', `sort -o ${dir}/out.txt ${file}; cat ${dir}/out.txt\n`)).toBe('a\nb foo\n');
    expect(await req('fl2', 'echo x | { read a; echo "got $a"; }\n')).toBe('got x\n');
    expect(await req('fl2', 'wc -l <<< "one"\n')).toBe('1\n');
    expect(await req('fl2', "awk 'BEGIN { print 6*7 }'\n")).toBe('42\n');
  });

  it('says nothing with #!interactive, where it reads what #!send types', async () => {
    expect(await req('fl3', '#!interactive\ncat\n')).toMatch(/^pty-relay: job 1 is waiting for input; answer: /);
    expect(await req('fl3', '#!send hello\\r\n')).toMatch(/^hello\nhello\n/);
    expect(await req('fl3', '#!send \\x04\n')).toBe('pty-relay: job 1 ended with exit status 0\n');
  });
});

describe('the prompt of a job waiting for input', () => {
  it('is never the line where its command was typed (cat): no prompt rather than the echo', async () => {
    const r = await req('pr', '#!interactive\ncat\n');
    expect(r).toBe('pty-relay: job 1 is waiting for input; answer: #!send TEXT\\r; look: #!screen; stop: #!kill 1; first line of each: #!session pr\n');
    expect(await req('pr', '#!kill 1\n')).toMatch(/^pty-relay: job 1 stopped by SIGINT/);
  });

  it('is still a real prompt, at the cursor or printed with a newline', async () => {
    expect(await req('pr2', '#!interactive\npython3 -q\n')).toMatch(/pty-relay: job 1 is waiting for input; prompt: ">>>"; /);
    expect(await req('pr2', '#!send exit()\\r\n')).toMatch(/pty-relay: job 1 ended with exit status 0\n$/);
    expect(await req('pr2', '#!interactive\nsqlite3\n')).toMatch(/pty-relay: job 2 is waiting for input; prompt: "sqlite>"; /);
    expect(await req('pr2', '#!send .quit\\r\n')).toMatch(/pty-relay: job 2 ended with exit status 0\n$/);
    expect(await req('pr2', '#!interactive\nread -p "Name: " x\n')).toMatch(/pty-relay: job 3 is waiting for input; prompt: "Name:"; /);
    expect(await req('pr2', '#!send bob\\r\n')).toMatch(/pty-relay: job 3 ended with exit status 0\n$/);
    expect(await req('pr2', '#!interactive\necho "Enter a value:"; read x\n')).toBe('Enter a value:\npty-relay: job 4 is waiting for input; prompt: "Enter a value:"; answer: #!send TEXT\\r; look: #!screen; stop: #!kill 4; first line of each: #!session pr2\n');
    expect(await req('pr2', '#!send 7\\r\n')).toMatch(/pty-relay: job 4 ended with exit status 0\n$/);
  });
});
