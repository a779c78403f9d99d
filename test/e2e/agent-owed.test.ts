// Nothing the agent is owed is left out (issue 22), through real nc against a real daemon: a
// request queued behind a job whose own reply had ended (it timed out) says, before its output,
// how that job ended and what of its output no reply showed, and a failure again at its end; a
// `#!send` reply starts with what the job printed since the last reply, then what the keystrokes
// provoked, and counts it delivered only when it reached its client. Jobs that ran on while the
// agent was not looking block on a FIFO the test releases.
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

const { req, live, fifo, ended } = execRequests(() => d);

// Resolves once job 1 of `session` is in `state` (as #!jobs lists it) with `bytes` of output.
async function jobAt(session: string, state: string, bytes: number): Promise<void> {
  const row = new RegExp(`^1 +${state} +\\S+ +\\S+ +\\S+ +${bytes} `, 'm');
  await waitFor(`job 1 ${state} with ${bytes} bytes`, async () => (row.test(await req(session, '#!jobs\n')) ? true : undefined));
}

describe('a request queued behind a job that ran on after its reply', () => {
  it('says first how that job ended and what of its output no reply showed, and a failure again at its end', async () => {
    const f = fifo();
    const build = await req('o1', `#!timeout 1\necho building; read x < ${f.path}; echo "error: build failed"; false\n`);
    expect(build).toMatch(/^building\npty-relay: still running as job 1 in session o1 after [\d.]+ s; /);
    const deploy = live('o1', '#!queue\necho deploy-step\n');
    await waitFor('the waiting line', () => (/waiting\.*$/.test(deploy.out()) ? true : undefined));
    f.release();
    const r = (await deploy.done).stdout;
    expect(r).toMatch(
      /^pty-relay: job 2 waits for job 1 in session o1 [^\n]*; waiting\.*\npty-relay: job 1 \(`echo building; read x < \S+`\) in session o1 ended [\d.]+ s ago with exit status 1 while job 2 waited for it; 20 bytes of its output no reply showed: #!wait 1; first line of each: #!session o1\ndeploy-step\npty-relay: job 1, which job 2 waited for, did not succeed \(exit status 1; see the top of this reply\)\n$/,
    );
    // The output is still owed to #!wait, and then delivered once.
    expect(await req('o1', '#!wait 1\n')).toBe('error: build failed\npty-relay: exit status 1\n');
    // Told once: a later queued request says nothing about job 1.
    expect(await req('o1', '#!queue\necho later\n')).toBe('later\n');
  });

  it('names a job that ended well with nothing undelivered in one line, and adds nothing at the end', async () => {
    const f = fifo();
    expect(await req('o2', `#!timeout 1\necho built; read x < ${f.path}\n`)).toMatch(/^built\npty-relay: still running as job 1 /);
    const next = live('o2', '#!queue\necho next\n');
    await waitFor('the waiting line', () => (/waiting\.*$/.test(next.out()) ? true : undefined));
    f.release();
    expect((await next.done).stdout).toMatch(
      /; waiting\.*\npty-relay: job 1 \(`echo built; read x < \S+`\) in session o2 ended [\d.]+ s ago with exit status 0 while job 2 waited for it; its output was all shown before \(again: #!output 1\); first line of each: #!session o2\nnext\n$/,
    );
  });

  it('says nothing about a job whose end a reply followed (#!wait)', async () => {
    const f = fifo();
    expect(await req('o3', `#!timeout 1\nread x < ${f.path}; echo done-3; false\n`)).toMatch(/^pty-relay: still running as job 1 /);
    const waiting = live('o3', '#!wait 1\n');
    const next = live('o3', '#!queue\necho next\n');
    await waitFor('the waiting line', () => (/waiting\.*$/.test(next.out()) ? true : undefined));
    f.release();
    expect((await waiting.done).stdout).toBe('done-3\npty-relay: exit status 1\n');
    expect((await next.done).stdout).toMatch(/; waiting\.*\nnext\n$/);
  });
});

describe('a #!send reply', () => {
  it('starts with what the job printed since the last reply, then what the keystrokes provoked', async () => {
    const f = fifo();
    expect(await req('s1', `#!timeout 1\necho line 1; read x < ${f.path}; echo line 2; echo line 3; read -r z </dev/tty; echo "got $z"\n`)).toMatch(/^line 1\npty-relay: still running as job 1 /);
    f.release();
    await jobAt('s1', 'waiting', 'line 1\nline 2\nline 3\n'.length);
    expect(await req('s1', '#!send hi\\r\n')).toBe('line 2\nline 3\nhi\ngot hi\npty-relay: job 1 ended with exit status 0\n');
    // Delivered: #!wait has nothing more.
    expect(await req('s1', '#!wait 1\n')).toMatch(/^pty-relay: job 1 \([^\n]*\) in session s1 ended [^\n]* with exit status 0; all 31 bytes of its output were delivered before; again: #!output 1; /);
  });

  it('Ctrl-C: the lines printed since the last reply come before the ^C and the status', async () => {
    const [f1, f2] = [fifo(), fifo()];
    expect(await req('s2', `#!timeout 1\necho line 1; read x < ${f1.path}; echo line 2; echo line 3; cat ${f2.path}\n`)).toMatch(/^line 1\npty-relay: still running as job 1 /);
    f1.release();
    await jobAt('s2', 'running', 'line 1\nline 2\nline 3\n'.length);
    expect(await req('s2', '#!send \\x03\n')).toMatch(/^line 2\nline 3\n\^C\r?\n?pty-relay: job 1 ended with exit status 130\n$/);
  });

  it('in a REPL: what a timed-out send provoked later starts the next send reply', async () => {
    const f = fifo();
    expect(await req('s3', '#!interactive\n/usr/bin/python3 -q\n')).toMatch(/>>> \npty-relay: job 1 is waiting for input; prompt: ">>>"/);
    expect(await req('s3', `#!timeout 1\n#!send open("${f.path}").read(); print("late")\\r\n`)).toMatch(/\npty-relay: job 1 is still running; more output: #!wait 1; |\npty-relay: still running as job 1 /);
    f.release();
    await waitFor('python to print', async () => (/^1 +waiting /m.test(await req('s3', '#!jobs\n')) ? true : undefined));
    expect(await req('s3', '#!send exit()\\r\n')).toMatch(/^'go\\n'\nlate\n>>> exit\(\)\n(\r?\n)?pty-relay: job 1 ended with exit status 0\n$/);
  });

  it('that did not reach its client counts as not delivered: #!wait streams that output', async () => {
    const [f1, f2] = [fifo(), fifo()];
    expect(await req('s4', `#!timeout 1\necho line 1; read x < ${f1.path}; echo line 2; read -r z </dev/tty; echo "got $z"; cat ${f2.path}; echo after\n`)).toMatch(/^line 1\npty-relay: still running as job 1 /);
    f1.release();
    await jobAt('s4', 'waiting', 'line 1\nline 2\n'.length);
    // The job runs on after the keystrokes (blocked on the FIFO, not reading the terminal), so the
    // reply keeps following it; its client is killed meanwhile.
    const sent = live('s4', '#!timeout 60\n#!send hi\\r\n');
    await jobAt('s4', 'running', 'line 1\nline 2\nhi\ngot hi\n'.length);
    sent.kill();
    await sent.done;
    f2.release();
    await ended('s4', 1);
    // Its reply went on into the vanished client's socket when the job ended: said to come again.
    expect(await req('s4', '#!wait 1\n')).toMatch(/^(pty-relay: offsets 7 to 33 of job 1's output were sent before, [^\n]*; they are repeated here\n)?line 2\nhi\ngot hi\ngo\nafter\n$/);
  });
});
