// The agent contract through real nc (issue 22): a call never waits in silence, a hint always
// pastes safely, and nothing the agent is owed is left out.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc, start, type LiveClient } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';

let d: TestDaemon;
let n = 0;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

async function req(session: string, text: string): Promise<string> {
  return (await nc(d.port, `#!session ${session}\n${text}`)).stdout;
}

function live(session: string, text: string): LiveClient {
  return start(['nc.openbsd', '-N', '127.0.0.1', String(d.port)], `#!session ${session}\n${text}`);
}

// A FIFO that a job blocks on until the test releases it.
function fifo(): { path: string; release(): void } {
  const p = path.join(d.home, `fifo-${++n}`);
  execFileSync('mkfifo', [p]);
  return { path: p, release: () => fs.writeFileSync(p, 'go\n') };
}

// Starts a job that holds session `s` until released; resolves once it runs as job 1.
async function hold(s: string): Promise<() => void> {
  const f = fifo();
  expect(await req(s, `#!timeout 0.3\nread x < ${f.path}; echo held-done\n`)).toMatch(/^pty-relay: still running as job 1 in session/);
  return f.release;
}

describe('a request behind a running job', () => {
  it('is told at once which job it waits for, what it does and the ways out, then runs', async () => {
    const release = await hold('q1');
    const c = live('q1', '#!timeout 30\necho after\n');
    const line = await waitFor('the waiting line', () => (/pty-relay: [^\n]*waiting/.test(c.out()) ? c.out() : undefined));
    expect(line).toMatch(/^pty-relay: job 2 waits for job 1 in session q1 \(`read x < \S+; echo held-done`, running for [\d.]+ s\); it runs when they end, if within 30 s \(#!timeout\); ways out: #!nowait \(don't queue\), #!session NAME \(another shell\), #!kill 1 \(stop job 1\), #!screen \(look\); waiting\.*$/);
    release();
    const r = await c.done;
    expect(r.stdout).toMatch(/; waiting\.*\nafter\n$/);
  });

  it('names an input wait and how long it has lasted', async () => {
    const held = live('q2', '#!timeout 30\nread -p "Name? " x </dev/tty; echo "hi $x"\n');
    expect((await held.done).stdout).toMatch(/pty-relay: job 1 is waiting for input/);
    const c = live('q2', 'echo second\n');
    const line = await waitFor('the waiting line', () => (/waiting$/.test(c.out()) ? c.out() : undefined));
    expect(line).toMatch(/^pty-relay: job 2 waits for job 1 in session q2 \(`read -p "Name\? " x <\/dev\/tty; echo "hi \$x"`, running for [\d.]+ s, waiting for input for [\d.]+ s: "Name\?"\); it runs when they end, if within \d+ s/);
    expect(await req('q2', '#!send bob\\r\n')).toBe('bob\nhi bob\n');
    expect((await c.done).stdout).toMatch(/waiting\.*\nsecond\n$/);
  });

  it('is never run when its client has gone, and the next one runs', async () => {
    const release = await hold('q3');
    const marker = path.join(d.home, 'q3-marker');
    const gone = live('q3', `touch ${marker}\n`);
    await waitFor('the waiting line', () => (/waiting$/.test(gone.out()) ? true : undefined));
    gone.kill();
    await gone.done;
    const next = live('q3', 'echo next\n');
    await waitFor('the next waiting line', () => (/waiting$/.test(next.out()) ? true : undefined));
    release();
    expect((await next.done).stdout).toMatch(/^pty-relay: job 3 waits for job 1 and 1 queued job\(s\) in session q3 [^\n]*\nnext\n$/);
    expect(fs.existsSync(marker)).toBe(false);
    await d.waitLog('exec.abandoned', (l) => l.job === 2);
    expect(await req('q3', '#!jobs\n')).toMatch(/\n2 +failed .*touch /);
  });
});

describe('a reply that did not reach its client', () => {
  it('is not counted as delivered: the next #!wait streams it', async () => {
    const f = fifo();
    const c = live('d1', `read x < ${f.path}; echo owed-output; exit 3\n`);
    await waitFor('the job to run', async () => ((await req('d1', '#!jobs\n')).includes('running') ? true : undefined));
    c.kill();
    await c.done;
    f.release();
    await d.waitLog('exec.done', (l) => l.session === 'd1' && l.job === 1);
    expect(await req('d1', '#!wait 1\n')).toBe('owed-output\npty-relay: exit status 3\n');
  });
});
