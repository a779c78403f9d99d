// Jobs through real nc against the built daemon: programs that wait for input, full-screen programs,
// timeouts finished through #!wait, #!send, #!screen, #!kill and #!jobs. After each, the next request
// runs in the same shell with its cwd and environment intact.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { execRequests } from '../helpers/exec-requests';
import { waitFor, within } from '../helpers/deadline';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ env: { EDITOR: 'vim', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

// Runs `text` in `session` and returns what the client printed.
const { req, fifo } = execRequests(() => d);

// Gives a session a state that must survive everything the test does to it.
async function prepare(session: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(d.home, 'state-'));
  expect(await req(session, `cd ${dir}; export JOBVAR=kept-${session}; f() { echo fn-ok; }\n`)).toBe('');
  return dir;
}

// The state set by prepare() is still there, in the same shell.
async function expectIntact(session: string, dir: string): Promise<void> {
  expect(await req(session, 'pwd; echo $JOBVAR; f\n')).toBe(`${dir}\nkept-${session}\nfn-ok\n`);
}

const STILL_RUNNING = /pty-relay: still running as job (\d+) in session \S+ after [\d.]+ s; wait: #!wait \d+; type: #!send TEXT\\r; look: #!screen; stop: #!kill \d+(; first line of each: #!session \S+)?\n$/;

describe('full-screen programs', () => {
  it('shows vim started without a terminal as stdin, quits it with #!send, and keeps the shell', async () => {
    const dir = await prepare('vim1');
    const started = await req('vim1', 'vim notes.txt\n');
    // (an empty buffer: the cursor's row is blank, so no prompt is named)
    expect(started).toMatch(/pty-relay: job 2 is waiting for input in a full-screen program; answer: #!send TEXT\\r; look: #!screen; stop: #!kill 2; first line of each: #!session vim1\n$/);
    const screen = await req('vim1', '#!screen\n');
    expect(screen).toMatch(/^~\s*$/m);
    expect(screen).toMatch(/"notes\.txt" \[New\]/);
    expect(screen).toMatch(/pty-relay: screen 200x50, cursor at row 1 column 1, alternate screen \(a full-screen program\); job 2 is waiting for input\n$/);
    const jobs = await req('vim1', '#!jobs\n');
    expect(jobs).toMatch(/\n2 +waiting +- +\S+ +\S+ +\d+ +vim notes\.txt\n$/);
    const sent = await req('vim1', '#!send ihello from the agent\\e:wq\\r\n');
    expect(sent).toMatch(/(^|\n)pty-relay: job 2 ended with exit status 0\n$/);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('hello from the agent\n');
    await expectIntact('vim1', dir);
  });

  it('kills vim with #!kill and keeps the shell', async () => {
    const dir = await prepare('vim2');
    expect(await req('vim2', '#!interactive\nvim other.txt\n')).toMatch(/job 2 is waiting for input in a full-screen program/);
    const killed = await req('vim2', '#!kill 2\n');
    // The reply carries what vim printed on its way out (no reply had delivered it), then the stop.
    expect(killed).toMatch(/^Vim: Caught deadly signal TERM\n(?:(?!pty-relay:)[^\n]*\n)*pty-relay: job 2 stopped by SIG(TERM|KILL) \(exit status \d+\); the shell and its state are kept\n$/);
    expect(await req('vim2', '#!screen\n')).toMatch(/normal screen; the shell is idle\n$/);
    await expectIntact('vim2', dir);
  });

  it('reads less on a long file through #!screen and quits it', async () => {
    const dir = await prepare('less1');
    fs.writeFileSync(path.join(dir, 'long.txt'), Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n'));
    expect(await req('less1', 'less long.txt\n')).toMatch(/job 2 is waiting for input in a full-screen program/);
    const screen = await req('less1', '#!screen\n');
    expect(screen).toMatch(/^line 1\nline 2\n/);
    expect(screen).toMatch(/^line 49$/m);
    expect(screen).not.toMatch(/^line 51$/m);
    expect(await req('less1', '#!send q\n')).toMatch(/^(\r?\n)?pty-relay: job 2 ended with exit status 0\n$/);
    await expectIntact('less1', dir);
  });
});

describe('prompts', () => {
  it('drives python3 as a REPL with #!interactive and #!send', async () => {
    const dir = await prepare('py');
    expect(await req('py', '#!interactive\npython3 -q\n')).toMatch(/>>> \npty-relay: job 2 is waiting for input; prompt: ">>>"/);
    expect(await req('py', '#!send 6*7\\n\n')).toMatch(/^6\*7\n42\n>>> \npty-relay: job 2 is waiting for input; prompt: ">>>"/);
    expect(await req('py', '#!send import sys; sys.exit(4)\\n\n')).toMatch(/\npty-relay: job 2 ended with exit status 4\n$/);
    await expectIntact('py', dir);
  });

  it('reports a read -p prompt on /dev/tty and answers it with #!send', async () => {
    const dir = await prepare('readp');
    const asked = await req('readp', 'read -p "your name? " name </dev/tty; echo "hello $name"\n');
    expect(asked).toMatch(/^your name\? \npty-relay: job 2 is waiting for input; prompt: "your name\?"; answer: /);
    expect(await req('readp', '#!send bob\\n\n')).toBe('bob\nhello bob\npty-relay: job 2 ended with exit status 0\n');
    expect(await req('readp', 'echo $name\n')).toBe('bob\n');
    await expectIntact('readp', dir);
  });

  it('reports a getpass prompt with echo off', async () => {
    const dir = await prepare('pw');
    const asked = await req('pw', 'python3 -c "import getpass; print(len(getpass.getpass()))"\n');
    expect(asked).toMatch(/^Password: \npty-relay: job 2 is waiting for input with echo off \(a password prompt\?\); prompt: "Password:"/);
    expect(await req('pw', '#!send s3cret\\n\n')).toBe('\n6\npty-relay: job 2 ended with exit status 0\n');
    await expectIntact('pw', dir);
  });

  it('stops git commit waiting for its editor', async () => {
    const dir = await prepare('git');
    expect(await req('git', 'git init -q . && echo a > a && git add a\n')).toBe('');
    expect(await req('git', '#!interactive\ngit commit\n')).toMatch(/job 3 is waiting for input in a full-screen program/);
    expect(await req('git', '#!kill\n')).toMatch(/^(?:(?!pty-relay:)[^\n]*\n)*pty-relay: job 3 stopped by SIG(INT|TERM|KILL) \(exit status \d+\); the shell and its state are kept\n$/);
    // vim, git's child, ignores SIGINT and outlives git: #!kill ends it (SIGTERM) once git ended,
    // and its last words start the next reply, as output printed while no command ran.
    const next = await req('git', 'git log --oneline 2>&1 | head -1\n');
    expect(next).toMatch(/^(pty-relay: printed while no command ran [^\n]*\n([^\n]*\n)*?)?[^\n]*does not have any commits yet\n$/);
    await expectIntact('git', dir);
  });

  it('stops sleep 600 with SIGINT', async () => {
    const dir = await prepare('sl');
    expect(await req('sl', '#!timeout 0.3\nsleep 600\n')).toMatch(STILL_RUNNING);
    expect(await req('sl', '#!kill 2\n')).toBe('pty-relay: job 2 stopped by SIGINT (exit status 130); the shell and its state are kept\n');
    await expectIntact('sl', dir);
  });

  it('ends what is left of a stopped job: a program in it that ignores SIGINT and outlives it', async () => {
    const dir = await prepare('strag');
    // A straggler in the job's process group that ignores SIGINT (as vim under git commit does).
    const marker = `sleep 7.${process.pid}`;
    const left = (): string[] => fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() === marker;
      } catch {
        return false;
      }
    });
    expect(await req('strag', `#!timeout 0.3\nsh -c '(trap "" INT; ${marker}; echo straggler) & exec sleep 600'\n`)).toMatch(STILL_RUNNING);
    await waitFor('the straggler to run', () => (left().length === 1 ? true : undefined));
    expect(await req('strag', '#!kill 2\n')).toBe('pty-relay: job 2 stopped by SIGINT (exit status 130); the shell and its state are kept\n');
    // Gone with its job: it prints nothing into the next command, nor takes its keys.
    expect(left()).toEqual([]);
    await expectIntact('strag', dir);
  });

  it('says clearly when there is nothing to type into, kill or wait for', async () => {
    expect(await req('none', '#!send x\n')).toBe('pty-relay: error: nothing is running in session "none" to type into; send a command instead\n');
    expect(await req('none', '#!kill\n')).toBe('pty-relay: error: nothing is running in session "none"\n');
    expect(await req('none', '#!wait 7\n')).toBe('pty-relay: error: no job 7 in session "none" (see #!jobs)\n');
    expect(await req('none', '#!send bad\\q\n')).toMatch(/^pty-relay: error: #!send: unknown escape "\\q"/);
    expect(await req('none', '#!wait\necho no\n')).toMatch(/^pty-relay: error: #!wait asks about a job and cannot carry a command/);
  });
});

describe('output that outlives its request', () => {
  it('delivers the rest of a timed-out job through #!wait exactly once', async () => {
    const dir = await prepare('w1');
    const f = fifo();
    const first = await req('w1', `#!timeout 3\nfor i in 1 2 3; do echo a$i; done; read -r x < ${f.path}; for i in 1 2 3; do echo b$i; done; (exit 3)\n`);
    const m = STILL_RUNNING.exec(first);
    expect(m?.[1]).toBe('2');
    expect(first.slice(0, m?.index)).toBe('a1\na2\na3\n');
    f.release();
    expect(await req('w1', '#!wait 2\n')).toBe('b1\nb2\nb3\npty-relay: exit status 3\n');
    // Nothing left to deliver: which job that was, where, how it ended, and how to see it again.
    expect(await req('w1', '#!wait\n')).toMatch(/^pty-relay: job 2 \(`for i in 1 2 3; do echo a\$i; [^`]*\.\.\.`\) in session w1 ended [\d.]+ s ago with exit status 3; all 18 bytes of its output were delivered before; again: #!output 2; first line of each: #!session w1\n$/);
    await expectIntact('w1', dir);
  });

  it('redelivers output whose client was killed mid-way', async () => {
    const dir = await prepare('w2');
    const f = fifo();
    const client = new RawClient(d.port);
    client.send(`#!session w2\nseq 1 5; read -r x < ${f.path}; seq 6 8\n`);
    await waitFor('the first lines', () => (client.text().includes('5\n') ? true : undefined));
    client.socket.destroy();
    await within('the client to go', client.closed, 5_000);
    f.release();
    // Said to come again first: the vanished client may have read some of it.
    // (The line is said when the daemon saw the client leave before that reply ended; a close it
    // saw only after the reply's bytes were written can leave it out.)
    expect(await req('w2', '#!wait 2\n')).toMatch(/^(pty-relay: offsets 0 to (10|16) of job 2's output were sent before, in a reply that may not have reached its client \(it left before that reply ended\); they are repeated here\n)?1\n2\n3\n4\n5\n6\n7\n8\n$/);
    await expectIntact('w2', dir);
  });

  it('counts a reply as delivered when its client closed its side after the reply began and read on', async () => {
    // nc -N sends its EOF when its stdin ends; starved on a loaded machine, that EOF comes after
    // the reply began. Here it comes (and is with the daemon) before the job's last output.
    const dir = await prepare('w3');
    const f = fifo();
    const client = new RawClient(d.port);
    client.send(`#!session w3\nseq 1 5; read -r x < ${f.path}; seq 6 8\n`);
    await waitFor('the first lines', () => (client.text().includes('5\n') ? true : undefined));
    await new Promise<void>((resolve) => client.socket.end(resolve));
    f.release();
    await within('the reply to end', client.closed, 10_000);
    expect(client.text()).toBe('1\n2\n3\n4\n5\n6\n7\n8\n');
    // Delivered exactly once: nothing is repeated, and the job's output is not owed.
    expect(await req('w3', '#!wait 2\n')).toMatch(/^pty-relay: job 2 \(`seq 1 5; [^`]*`\) in session w3 ended [^\n]*; all 16 bytes of its output were delivered before; again: #!output 2[^\n]*\n$/);
    await expectIntact('w3', dir);
  });

  it('lists every job with its state, status and command', async () => {
    const jobs = await req('w1', '#!jobs\n');
    const lines = jobs.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^JOB +STATE +STATUS +STARTED +TIME +BYTES +COMMAND$/);
    expect(lines[1]).toMatch(/^1 +done +0 +\S+Z +[\d.]+s +0 +cd \S+; export JOBVAR=kept-w1.*$/);
    expect(lines[2]).toMatch(/^2 +done +3 +\S+Z +[\d.]+s +18 +for i in 1 2 3; do echo a\$i; done; read -r x < \S+; .*$/);
    expect(lines[3]).toMatch(/^3 +done +0 .* pwd; echo \$JOBVAR; f$/);
  });
});
