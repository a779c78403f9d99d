// Busy sessions, queueing, interrupts, timeouts, shell exits, concurrency and departing clients.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc, RawClient, relayExec, run } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { execRequests } from '../helpers/exec-requests';
import { waitFor, within } from '../helpers/deadline';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const { fifo } = execRequests(() => d);

// Starts a request that blocks on a fifo, and resolves once it is running.
async function blocker(session: string): Promise<{ client: RawClient; release(): void }> {
  const f = fifo();
  const client = new RawClient(d.port);
  client.send(`#!session ${session}\necho started; read -r x < ${f.path}; echo released\n`);
  client.socket.end();
  await waitFor('the blocking command to start', () => (client.text().includes('started') ? true : undefined));
  return { client, release: f.release };
}

describe('a busy session', () => {
  it('queues a second request and runs it after the first, without interleaving', async () => {
    const b = await blocker('q1');
    const second = nc(d.port, '#!session q1\n#!queue\necho second\n');
    // The second request reaches the queue on its own time: ask until it is there.
    const status = await waitFor('the second request to queue', async () => {
      const r = await nc(d.port, '#!session q1\n#!status\n');
      return r.stdout.includes('queued: 1') ? r : undefined;
    });
    expect(status.stdout).toMatch(/^session: q1\nstate: running\npid: \d+\ncwd: .*\nrunning: job 1: `echo started; read -r x < .*` since .*\nqueued: 1\n$/);
    b.release();
    await b.client.closed;
    expect(b.client.text()).toBe('started\nreleased\n');
    // Told that it waits (exec/queued.ts) when it waited more than a moment.
    expect((await second).stdout).toMatch(/^(pty-relay: job 2 waits for job 1 in session q1 \(`echo started; read -r x < \S+`, running for [\d.]+ s\); [^\n]*; waiting\.*\n)?second\n$/);
  });

  it('answers #!nowait with what is running, since when, and how to interrupt it', async () => {
    const b = await blocker('q2');
    const r = await nc(d.port, '#!session q2\n#!nowait\necho never\n');
    expect(r.stdout).toMatch(/^pty-relay: session "q2" is busy running job 1: `echo started; read -r x < \S+` since \S+ \(\d+ s\); wait: #!wait 1; look: #!screen; stop: #!kill 1; first line of each: #!session q2\n$/);
    b.release();
    await b.client.closed;
  });

  it('interrupts the running command from plain nc', async () => {
    const b = await blocker('q3');
    const r = await nc(d.port, '#!session q3\n#!interrupt\n');
    expect(r.stdout).toMatch(/^pty-relay: interrupted job 1: `echo started; read .*` since \S+ \(\d+ s\) in session "q3"\n$/);
    await within('the interrupted request to end', b.client.closed, 10_000);
    // Interactive bash prints a newline of its own when a SIGINT cuts a builtin short.
    expect(b.client.text()).toMatch(/^started\n\n?pty-relay: exit status 130\n$/);
    expect((await nc(d.port, '#!session q3\necho alive\n')).stdout).toBe('alive\n');
  });

  it('times out a request but leaves the command running', async () => {
    const f = fifo();
    // A timer fires late on a loaded machine: the time said is at least the timeout.
    expect((await nc(d.port, '#!session q4\ntrue\n')).stdout).toBe(''); // the shell is up first
    const r = await nc(d.port, `#!session q4\n#!timeout 0.3\necho begun; read -r x < ${f.path}; echo done > ${d.home}/q4-done\n`);
    expect(r.stdout).toMatch(/^begun\npty-relay: still running as job 2 in session q4 after (0\.[3-9]|[1-9][.\d]*) s; wait: #!wait 2; type: #!send TEXT\\r; look: #!screen; stop: #!kill 2; first line of each: #!session q4\n$/);
    f.release();
    await waitFor('the command to finish on its own', () => (fs.existsSync(`${d.home}/q4-done`) ? true : undefined));
    // The next request says once how it ended, which no reply showed (exec/waited-for.ts).
    expect((await nc(d.port, '#!session q4\necho next\n')).stdout).toMatch(/^pty-relay: job 2 \(`echo begun; [^\n]*`\) in session q4 ended [\d.]+ s ago with exit status 0 while no reply followed it; its output was all shown before \(again: #!output 2\); first line of each: #!session q4\nnext\n$/);
    expect((await nc(d.port, '#!session q4\necho next\n')).stdout).toBe('next\n');
  });

  it('times out a queued request without running it', async () => {
    const b = await blocker('q5');
    const r = await nc(d.port, `#!session q5\n#!queue\n#!timeout 0.2\ntouch ${d.home}/q5-ran\n`);
    // A timer fires late on a loaded machine: the time said is at least the timeout.
    // It may first be told that it waits (exec/queued.ts, after 0.2 s).
    expect(r.stdout).toMatch(/^(pty-relay: job 2 waits for job 1 in session q5 [^\n]*; waiting\.*\n)?pty-relay: timed out after (0\.[2-9]|[1-9][.\d]*) s waiting for session "q5", busy running job 1: `echo started.*` since .*; the request was not run\n$/);
    b.release();
    await b.client.closed;
    await nc(d.port, '#!session q5\ntrue\n');
    expect(fs.existsSync(`${d.home}/q5-ran`)).toBe(false);
  });
});

describe('shell exit', () => {
  it('tells the waiting client, and the next request gets a fresh shell and a notice', async () => {
    await nc(d.port, '#!session ex\ncd /tmp\n');
    // `exit` only ends the request now (exec-survival.test.ts). A shell that really ends with a
    // status: it replaces itself with the same command line (so it is not reported as `exec`)
    // whose rc file exits.
    const ends = 'mapfile -d "" a < /proc/$$/cmdline; echo "exit 3" > "${a[2]}"; exec -a "${a[0]}" "$BASH" "${a[@]:1}"';
    const r = await nc(d.port, `#!session ex\necho bye; ${ends}\n`);
    expect(r.stdout).toBe('bye\npty-relay: the shell exited with status 3 while running this command; the next request starts a new shell\n');
    const next = await nc(d.port, '#!session ex\npwd\n');
    expect(next.stdout).toMatch(new RegExp(`^pty-relay: the previous shell of session "ex" exited with status 3 at \\S+; this is a new shell\\n${d.home}\\n$`));
    expect((await nc(d.port, '#!session ex\necho plain\n')).stdout).toBe('plain\n');
  });

  it('delivers the last byte of a large output when the shell exits', async () => {
    const expected = Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join('');
    for (let i = 0; i < 8; i++) {
      const r = await nc(d.port, `#!session tail${i}\n#!limit 0\nseq 1 300000; kill -9 $$\n`, 60_000);
      expect(r.stdout.startsWith(expected)).toBe(true);
      expect(r.stdout.slice(expected.length)).toBe('pty-relay: the shell was killed by signal 9 while running this command; the next request starts a new shell\n');
    }
  });

  it('handles `exec` replacing the shell', async () => {
    const r = await nc(d.port, '#!session ex2\nexec sleep 600\n', 20_000);
    expect(r.stdout).toBe('pty-relay: the shell replaced itself with `exec`; it no longer runs requests and will be ended\n');
    const next = await nc(d.port, '#!session ex2\necho fresh\n');
    expect(next.stdout).toMatch(/^pty-relay: the previous shell of session "ex2" replaced itself \(exec sleep\) and was ended\nfresh\n$/);
  });

  it('handles a shell killed by SIGKILL', async () => {
    const pid = (await nc(d.port, '#!session ex3\necho $$\n')).stdout.trim();
    const b = await blocker('ex3');
    process.kill(Number(pid), 'SIGKILL');
    await within('the client to be told', b.client.closed, 10_000);
    expect(b.client.text()).toBe('started\npty-relay: the shell was killed by signal 9 while running this command; the next request starts a new shell\n');
    expect((await nc(d.port, '#!session ex3\necho back\n')).stdout).toMatch(/was killed by signal 9 at .*; this is a new shell\nback\n$/);
  });
});

describe('concurrency', () => {
  it('runs different sessions in parallel', async () => {
    const b = await blocker('par-a');
    expect((await nc(d.port, '#!session par-b\necho b-ran\n')).stdout).toBe('b-ran\n');
    b.release();
    await b.client.closed;
  });

  it('never interleaves concurrent requests to one session', async () => {
    const jobs = Array.from({ length: 8 }, (_, i) =>
      nc(d.port, `#!session one\nfor j in $(seq 1 200); do echo "req${i} line$j"; done\n`, 60_000),
    );
    const results = await Promise.all(jobs);
    results.forEach((r, i) => {
      // A request that queued is told so in one line first (agent-contract.test.ts).
      expect(r.stdout.replace(/^pty-relay: job \d+ waits for job [^\n]*; waiting\.*\n/, '')).toBe(Array.from({ length: 200 }, (_, j) => `req${i} line${j + 1}\n`).join(''));
    });
  });
});

describe('departing clients and late input', () => {
  it('keeps running a command whose client was killed', async () => {
    const f = fifo();
    const client = new RawClient(d.port);
    client.send(`#!session gone\necho started; read -r x < ${f.path}; echo more; echo finished > ${d.home}/gone-done\n`);
    await waitFor('start', () => (client.text().includes('started') ? true : undefined));
    client.socket.destroy();
    await client.closed;
    f.release();
    await waitFor('the command to finish', () => (fs.existsSync(`${d.home}/gone-done`) ? true : undefined));
    expect((await nc(d.port, '#!session gone\necho ok\n')).stdout).toBe('ok\n');
  });

  it('runs text that arrives while a command runs as the next request on that connection', async () => {
    const f = fifo();
    const client = new RawClient(d.port);
    client.send(`#!session late\necho first; read -r x < ${f.path}\n`);
    await waitFor('first', () => (client.text().includes('first') ? true : undefined));
    const pendingBefore = d.logs.filter((l) => l.evt === 'exec.pending').length;
    client.send('echo second\n');
    client.socket.end();
    // "While a command runs" is the daemon's view: text it has not read when the command ends comes
    // after the end (the connection closes). So release the command once the daemon has read it.
    await waitFor('the daemon to read the next request', () => (d.logs.filter((l) => l.evt === 'exec.pending').length > pendingBefore ? true : undefined));
    f.release();
    await within('close', client.closed, 10_000);
    expect(client.text()).toBe('first\nsecond\n');
  });

  it('waits for the rest of an incomplete command from a client that sends no EOF', async () => {
    const client = new RawClient(d.port);
    client.send('#!session inc\nfor i in 1 2; do\n');
    // A deliberate pause in the input, far longer than the 5 ms settle time for complete text:
    // the open loop must not run (bash would answer with a syntax error).
    await new Promise((r) => setTimeout(r, 200));
    expect(client.text()).toBe('');
    client.send('  echo "i$i"\ndone\n');
    await within('close', client.closed, 10_000);
    expect(client.text()).toBe('i1\ni2\n');
  });
});

// Whether reads that come apart land in one request depends on how far apart the client sent them
// (the settle times, whose choice test/unit/daemon/exec/request.test.ts pins); a loaded machine
// delays the client's second write past them. What holds at any gap: every line runs once, in
// order, and a split falls only at a line's end.
it('runs a script that arrives in several reads whole and in order, each read ending a complete line', async () => {
  const client = new RawClient(d.port);
  // A first read of a full buffer, as nc sends a piped script, ending in a complete line; the rest
  // follows soon after (one request when it comes within the settle time, two otherwise).
  client.send(`#!session chunks\n${': filler line\n'.repeat(400)}echo part-one\n`);
  await new Promise((r) => setTimeout(r, 3));
  client.send('echo part-two\n');
  await within('the reply', client.closed, 10_000);
  expect(client.text()).toBe('part-one\npart-two\n');
  const jobs = (await nc(d.port, '#!session chunks\n#!jobs\n')).stdout;
  expect(jobs).toMatch(/^JOB[^\n]*\n1 +done +0 [^\n]*: filler line \(\+40[01] lines\)\n(2 +done +0 [^\n]* echo part-two\n)?$/);
});

describe('refused requests', () => {
  it('refuses HTTP without running anything', async () => {
    const r = await nc(d.port, `POST /x HTTP/1.1\r\nHost: localhost\r\n\r\ntouch ${d.home}/http-ran\n`);
    expect(r.stdout).toBe('pty-relay: error: HTTP request refused; this port speaks shell text, not HTTP\n');
    await d.waitLog('exec.refused', (l) => l.reason === 'http');
    expect(fs.existsSync(`${d.home}/http-ran`)).toBe(false);
  });

  it('refuses binary garbage with NUL bytes', async () => {
    const r = await run(['nc.openbsd', '-N', '127.0.0.1', String(d.port)], Buffer.from('echo hi\n\x01\x00\xff garbage'));
    expect(r.stdout).toBe('pty-relay: error: request contains NUL bytes; exec requests must be shell text\n');
  });

  it('rejects bad directives and session names clearly', async () => {
    expect((await nc(d.port, '#!bogus\necho x\n')).stdout).toMatch(/^pty-relay: error: unknown directive "#!bogus"/);
    expect((await nc(d.port, '#!session ../etc\necho x\n')).stdout).toMatch(/^pty-relay: error: #!session: invalid session name "\.\.\/etc"/);
    expect((await nc(d.port, '#!timeout soon\necho x\n')).stdout).toMatch(/^pty-relay: error: #!timeout takes seconds/);
  });

  it('treats a shebang line as script, not a directive', async () => {
    expect((await nc(d.port, '#!/bin/bash\necho shebang-ok\n')).stdout).toBe('shebang-ok\n');
  });

  it('closes a port check (connect, no bytes) quietly', async () => {
    const r = await run(['nc.openbsd', '-z', '127.0.0.1', String(d.port)], '');
    expect(r.code).toBe(0);
  });
});

describe('pty-relay exec', () => {
  it('streams output and exits with the remote status', async () => {
    const r = await relayExec(d.port, ['--session', 'cli', '--', 'echo', 'out;', 'exit_code_test() { return 5; };', 'exit_code_test']);
    expect(r.stdout).toBe('out\n');
    expect(r.code).toBe(5);
  });

  it('reads the script from stdin and keeps session state', async () => {
    await relayExec(d.port, ['-s', 'cli'], 'cd /usr\n');
    const r = await relayExec(d.port, ['-s', 'cli'], 'pwd\n');
    expect(r.stdout).toBe('/usr\n');
    expect(r.code).toBe(0);
  });

  it('exits 124 on timeout', async () => {
    const f = fifo();
    // The shell is up first: on a loaded machine starting it could take the whole 0.3 s.
    expect((await relayExec(d.port, ['-s', 'cli2', '--', 'true'])).code).toBe(0);
    const r = await relayExec(d.port, ['-s', 'cli2', '-t', '0.3', '--', `read -r x < ${f.path}`]);
    expect(r.code).toBe(124);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/pty-relay: still running as job \d+ in session \S+ after (0\.[3-9]|[1-9][.\d]*) s/);
    f.release();
  });

  it('exits 255 with a clear message when the daemon is not there', async () => {
    const r = await relayExec(1, ['--', 'true']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^pty-relay: nothing listens on localhost:1: is the tunnel up\? try `pty-relay doctor` .*\[PR_ERR_CONNECT\]/);
  });
});

describe('a shell that cannot start', () => {
  it('fails the request clearly instead of retrying forever', async () => {
    const broken = await startDaemon({ bashrc: 'exit 9\n' });
    const r = await nc(broken.port, 'echo never\n');
    expect(r.stdout).toBe('pty-relay: the shell exited with status 9 before its first prompt; check --shell, ~/.bashrc and that the home directory exists\n');
    await broken.waitLog('session.start_failed');
    expect(broken.logs.filter((l) => l.evt === 'session.spawned').length).toBe(1);
    expect(await broken.stop()).toBe(0);
  });
});
