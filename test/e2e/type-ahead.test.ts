// `#!send` never types ahead by surprise (issue 22): keys for a job that is not reading the
// terminal are refused with one line saying why and the ways on, Ctrl-C still goes through, and
// `#!typeahead` types them on purpose; the echo of the command they make is then not reported as
// output printed while no command ran, nor is the terminal repair's. Real nc, bash, and a FIFO
// the job blocks on (it reads the FIFO, not the terminal) until the test releases it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { execRequests } from '../helpers/exec-requests';
import { waitFor } from '../helpers/deadline';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ bashrc: "PS1='prompt> '\n" });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const { req, fifo, ended } = execRequests(() => d);
const STILL = (job: number, s: string): RegExp => new RegExp(`^pty-relay: still running as job ${job} in session ${s} after [\\d.]+ s;`);

// Starts `read -r _ < FIFO; echo done` in `session` as job `job`; returns the FIFO. A session's
// first job is its shell up (job 1: a shell that starts later than the 0.3 s timeout on a loaded
// machine would leave the request queued, not running).
async function blocked(session: string, job: number): Promise<ReturnType<typeof fifo>> {
  if (job === 2) expect(await req(session, 'true\n')).toBe('');
  const f = fifo();
  expect(await req(session, `#!timeout 0.3\nread -r _ < ${f.path}; echo done\n`)).toMatch(STILL(job, session));
  return f;
}

// The session's jobs once the last is no longer running.
async function settledJobs(session: string): Promise<string> {
  return waitFor('the jobs to settle', async () => {
    const t = await req(session, '#!jobs\n');
    return /\n\d+ +(running|waiting) /.test(t) ? undefined : t;
  });
}

it('refuses keys a job is not reading, saying why and the ways on; Ctrl-C still goes', async () => {
  const f = await blocked('ta', 2);
  expect(await req('ta', '#!send echo typed-ahead\\n\n')).toBe(
    'pty-relay: error: NOT typed: job 2 (`read -r _ < ' + f.path + '; echo done`) is running and not reading the terminal, so the keys ' +
      'would wait and reach whatever reads it next, the shell included (as a command). Wait for it: #!wait 2; interrupt it: ' +
      '#!send \\x03; type ahead on purpose: a #!typeahead line before #!send; first line of each: #!session ta\n',
  );
  // Ctrl-D is an end of file for whatever reads next (the shell at its prompt would exit): refused too.
  expect(await req('ta', '#!send \\x04\n')).toMatch(/^pty-relay: error: NOT typed: job 2 /);
  f.release();
  expect(await req('ta', '#!wait 2\n')).toBe('done\n');
  await ended('ta', 2);
  // Nothing waited in the terminal: no command typed there ran, and the next reply is only its own.
  expect(await req('ta', 'echo next\n')).toBe('next\n');
  expect(await settledJobs('ta')).not.toMatch(/typed in the terminal/);
  // (Its FIFO is left: nothing reads it once the job is interrupted.)
  await blocked('ta', 4);
  expect(await req('ta', '#!send \\x03\n')).toMatch(/pty-relay: job 4 ended with exit status 130/);
  // A job that reads the terminal takes the keys.
  expect(await req('ta', '#!interactive\n#!timeout 30\nread -r x; echo "got $x"\n')).toMatch(/^pty-relay: job 5 is waiting for input/);
  expect(await req('ta', '#!send hello\\n\n')).toMatch(/^hello\ngot hello\n/);
});

it('types ahead on purpose with #!typeahead; the echo of the command it makes is not idle output', async () => {
  const f = await blocked('tb', 2);
  expect(await req('tb', '#!typeahead\n#!timeout 0.3\n#!send echo ahead\\n\n')).toMatch(/^echo ahead\npty-relay: still running as job 2 /);
  f.release();
  expect(await req('tb', '#!wait 2\n')).toBe('done\n');
  await waitFor('the typed-ahead command to run', async () => (/\n3 +done +0 .*typed in the terminal\)\n$/.test(await req('tb', '#!jobs\n')) ? true : undefined));
  expect(await req('tb', 'echo next\n')).toBe('next\n');
  expect(await req('tb', '#!typeahead\n#!jobs\n')).toBe('pty-relay: error: #!typeahead goes with #!send (it types keys even into a job that is not reading the terminal)\n');
});

it('never reports the terminal repair as output, after keys typed ahead of a stopped job', async () => {
  await blocked('tc', 2);
  expect(await req('tc', '#!typeahead\n#!timeout 0.3\n#!send echo ahead\\n\n')).toMatch(/^echo ahead\n/);
  expect(await req('tc', '#!kill 2\n')).toMatch(/^pty-relay: job 2 stopped by SIGINT/);
  const jobs = await settledJobs('tc');
  expect(jobs).not.toMatch(/__pr/);
  const next = await req('tc', 'echo next\n');
  expect(next).toBe('next\n');
});
