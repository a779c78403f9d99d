// The agent contract through real nc (issue 22): a call never waits in silence, a hint always
// pastes safely, and nothing the agent is owed is left out.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayExec, run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { execRequests } from '../helpers/exec-requests';
import { waitFor, deadline } from '../helpers/deadline';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const { req, live, fifo, ended } = execRequests(() => d);

// Starts a job that holds session `s` until released; resolves once it runs as job 1.
async function hold(s: string): Promise<() => void> {
  const f = fifo();
  const holder = live(s, `read x < ${f.path}; echo held-done\n`);
  await waitFor('the holding job to run', async () => (/^1 +running /m.test(await req(s, '#!jobs\n')) ? true : undefined));
  return () => {
    f.release();
    void holder.done;
  };
}

describe('a request behind a running job', () => {
  it('is told at once which job it waits for, what it does and the ways out, then runs', async () => {
    const release = await hold('q1');
    const c = live('q1', '#!queue\n#!timeout 30\necho after\n');
    const line = await waitFor('the waiting line', () => (/pty-relay: [^\n]*waiting/.test(c.out()) ? c.out() : undefined));
    expect(line).toMatch(/^pty-relay: job 2 waits for job 1 in session q1 \(`read x < \S+; echo held-done`, running for [\d.]+ s\); it runs when it ends, if within 30 s \(#!timeout\); ways out: #!nowait \(don't queue\), #!session NAME \(another shell\), #!kill 1 \(stop job 1\), #!screen \(look\); first line of each: #!session q1; waiting\.*$/);
    release();
    const r = await c.done;
    expect(r.stdout).toMatch(/; waiting\.*\nafter\n$/);
  });

  it('names an input wait and how long it has lasted', async () => {
    const held = live('q2', '#!timeout 30\nread -p "Name? " x </dev/tty; echo "hi $x"\n');
    expect((await held.done).stdout).toMatch(/pty-relay: job 1 is waiting for input/);
    const c = live('q2', '#!queue\necho second\n');
    const line = await waitFor('the waiting line', () => (/waiting$/.test(c.out()) ? c.out() : undefined));
    expect(line).toMatch(/^pty-relay: job 2 waits for job 1 in session q2 \(`read -p "Name\? " x <\/dev\/tty; echo "hi \$x"`, running for [\d.]+ s, waiting for input for [\d.]+ s: "Name\?"\); it runs when it ends, if within 60 s \(#!timeout\)/);
    expect(await req('q2', '#!send bob\\r\n')).toBe('bob\nhi bob\npty-relay: job 1 ended with exit status 0\n');
    expect((await c.done).stdout).toMatch(/waiting\.*\nsecond\n$/);
  });

  it('is never run when its client has gone, and the next one runs', async () => {
    const release = await hold('q3');
    const marker = path.join(d.home, 'q3-marker');
    const gone = live('q3', `#!queue\ntouch ${marker}\n`);
    await waitFor('the waiting line', () => (/waiting$/.test(gone.out()) ? true : undefined));
    gone.kill();
    await gone.done;
    const next = live('q3', '#!queue\necho next\n');
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
    await ended('d1', 1);
    // Written into the vanished client's socket, so said to come again (it may have arrived).
    expect(await req('d1', '#!wait 1\n')).toBe("pty-relay: offsets 0 to 12 of job 1's output were sent before, in a reply that may not have reached its client (it left before that reply ended); they are repeated here\nowed-output\npty-relay: exit status 3\n");
  });
});

describe('defaults for agents', () => {
  it('ends a request and a #!wait without #!timeout with "still running" after 60 s, well before 2 minutes', async () => {
    const f = fifo();
    const first = live('t1', `read x < ${f.path}\n`);
    await waitFor('the job to run', async () => ((await req('t1', '#!jobs\n')).includes('running') ? true : undefined));
    const wait = live('t1', '#!wait 1\n');
    const [a, b] = await Promise.all([first.done, wait.done]);
    for (const r of [a, b]) expect(r.stdout).toMatch(/^pty-relay: still running as job 1 in session t1 after 6\d(\.\d)? s; /m);
    f.release();
  }, deadline(100_000));

  it('lets pty-relay exec and pty-relay wait follow a job to its end by themselves, unless given -t', async () => {
    const short = await startDaemon({ args: ['--exec-timeout', '0.5'] });
    try {
      const exec = await relayExec(short.port, ['--', 'sleep 1.5; echo end-of-job; exit 4']);
      expect(exec.stdout).toBe('end-of-job\n');
      expect(exec.code).toBe(4);
      const bounded = await relayExec(short.port, ['-t', '0.5', '--', 'sleep 1.5; echo second']);
      expect(bounded.code).toBe(124);
      // The relay's words go to stderr: stdout is the command's output alone.
      expect([bounded.stdout, bounded.stderr]).toEqual(['', expect.stringMatching(/^pty-relay: still running as job 2 /)]);
      const wait = await run([process.execPath, RELAY_BIN, 'wait', '--port', String(short.port), '2'], '');
      expect(wait.stdout).toBe('second\n');
      expect(wait.code).toBe(0);
    } finally {
      expect(await short.stop()).toBe(0);
    }
  });
});

describe('hints', () => {
  it('name no port or host, and paste safely with %, quotes and backslashes through a forward on another port', async () => {
    // -t 60: socat's default closes 0.5 s after the client's EOF, before a slower reply.
    const fwd = spawn('socat', ['-t', '60', 'TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork', `TCP:127.0.0.1:${d.port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      // socat says nothing of the port it got: find its listening socket in /proc/net/tcp.
      const port = await waitFor('the forward to listen', () => forwardPort(fwd.pid as number));
      expect(port).not.toBe(d.port);
      // The README's agent block: each request line an argument of printf '%s\n', never its format.
      const send = (lines: string[]): string =>
        execFileSync('bash', ['-c', `printf '%s\\n' "$@" | nc -N 127.0.0.1 ${port}`, 'agent', ...lines], { encoding: 'utf8', timeout: 60_000 });
      const asked = send(['#!session h1', '#!interactive', 'read -r -p "Text? " x; printf "[%s]\\n" "$x"']);
      const hint = /; answer: (#!send TEXT\\r); look: #!screen; stop: #!kill 1; first line of each: #!session h1\n$/.exec(asked);
      expect(asked).toMatch(/; answer: #!send TEXT\\r; look: #!screen; stop: #!kill 1; first line of each: #!session h1\n$/);
      expect(asked).not.toMatch(new RegExp(`${d.port}|${port}|localhost|127\\.0\\.0\\.1|printf '#!|\\| nc`));
      // What the agent types: `\\` is the directive's own escape for one backslash.
      const typed = ((hint as RegExpExecArray)[1] as string).replace('TEXT', `50% of "it" isn't \\\\ a %s`);
      expect(send(['#!session h1', typed])).toContain(`[50% of "it" isn't \\ a %s]\n`);
    } finally {
      fwd.kill('SIGTERM');
    }
  });
});

// The port socat listens on: the LISTEN row of /proc/net/tcp whose inode is one of its fds.
function forwardPort(pid: number): number | undefined {
  let inodes: string[];
  try {
    inodes = fs.readdirSync(`/proc/${pid}/fd`).map((f) => fs.readlinkSync(`/proc/${pid}/fd/${f}`)).map((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1] ?? '').filter((i) => i !== '');
  } catch {
    return undefined;
  }
  for (const row of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = row.trim().split(/\s+/);
    if (f[3] === '0A' && inodes.includes(f[9] ?? '')) return Number.parseInt((f[1] ?? '').split(':')[1] ?? '', 16);
  }
  return undefined;
}
