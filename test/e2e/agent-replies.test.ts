// Replies as small as a pipe's and never a surprise, through real nc and the real client (issue 22,
// third round): a default bound on what a reply carries, a busy session answered promptly (and
// the request never run later), a repeat said before it comes, and `pty-relay exec` keeping the
// relay's words off stdout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSide } from '../helpers/agent';
import { relayExec } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { scriptedPeer } from '../helpers/scripted-peer';

let d: TestDaemon;
const { req, live, fifo } = agentSide(() => d);
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const SEQ = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join(''));

describe('a reply to nc without #!limit', () => {
  it('keeps the head and the tail of a flood, names the range left out, and #!output fetches exactly it', async () => {
    const r = await req('b1', 'seq 1 200000\n');
    const m = /\npty-relay: (\d+) bytes left out \(offsets (\d+) to (\d+) of job 1's output\); fetch any range: #!output 1 \2 \3; replies carry at most 30000 bytes unless #!limit says otherwise \(#!limit 0: all\); first line of each: #!session b1\n/.exec(r);
    expect(m).not.toBeNull();
    const [bytes, from, to] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(to - from).toBe(bytes);
    const head = r.slice(0, m!.index + 1);
    const tail = r.slice(m!.index + m![0].length);
    expect(head).toBe(SEQ.subarray(0, from).toString());
    expect(tail).toBe(SEQ.subarray(to).toString());
    expect(head.length + tail.length).toBeLessThanOrEqual(30_000);
    // The exact directive in the line, sent as it is, is bounded too (an agent that sent it got
    // megabytes): the range's head and tail around a line naming its own middle.
    const again = await req('b1', `#!output 1 ${from} ${to}\n`);
    const m2 = /\npty-relay: (\d+) bytes left out \(offsets (\d+) to (\d+) of job 1's output\); fetch any range: #!output 1 \2 \3; replies carry at most 30000 bytes unless #!limit says otherwise \(#!limit 0: all\); first line of each: #!session b1\n/.exec(again);
    expect(m2).not.toBeNull();
    const [from2, to2] = [Number(m2![2]), Number(m2![3])];
    expect(again.slice(0, m2!.index + 1)).toBe(SEQ.subarray(from, from2).toString());
    expect(again.slice(m2!.index + m2![0].length)).toBe(SEQ.subarray(to2, to).toString());
    // With #!limit 0 it comes whole, exactly the middle.
    expect(await req('b1', `#!limit 0\n#!output 1 ${from} ${to}\n`)).toBe(SEQ.subarray(from, to).toString());
    // The whole output, asked without a range, is bounded as a reply is.
    expect((await req('b1', '#!output 1\n')).length).toBeLessThan(31_000);
  });

  it('carries everything with #!limit 0', async () => {
    expect(await req('b2', '#!limit 0\nseq 1 200000\n')).toBe(SEQ.toString());
  });
});

describe('a request to a busy session', () => {
  it('is answered promptly, names the job and the ways on, and never runs later', async () => {
    const f = fifo();
    const holder = live('s1', `read x < ${f.path}; echo held-done\n`);
    await waitFor('the holding job to run', async () => (/^1 +running /m.test(await req('s1', '#!jobs\n')) ? true : undefined));
    const marker = path.join(d.home, 's1-ran');
    // Without the bound wait this would sit out its 20 s and then time out.
    const r = await req('s1', `#!timeout 20\ntouch ${marker}\n`);
    expect(r).toMatch(/^pty-relay: not run: session s1 is busy with job 1 \(`read x < [^`]+`, running for [\d.]+ s, not waiting for input\); this request \(job 2\) waited [\d.]+ s, did NOT run and will not run later; next: #!wait 1 \(follow job 1 to its end\), #!kill 1 \(stop it, then send this again\), #!send TEXT\\r \(type into it\), #!session NAME \(another shell\), #!queue on the first line \(wait in line for job 1\); first line of each: #!session s1\n$/);
    f.release();
    expect((await holder.done).stdout).toBe('held-done\n');
    expect(await req('s1', 'echo next\n')).toBe('next\n');
    expect(fs.existsSync(marker)).toBe(false);
    expect(await req('s1', '#!jobs\n')).toMatch(/\n2 +failed .*touch /);
  });

  it('names an input wait and says how to answer it', async () => {
    const held = live('s2', '#!timeout 30\nread -p "Name? " x </dev/tty; echo "hi $x"\n');
    expect((await held.done).stdout).toMatch(/pty-relay: job 1 is waiting for input/);
    const r = await req('s2', 'echo second\n');
    expect(r).toMatch(/^pty-relay: not run: session s2 is busy with job 1 \(`read -p "Name\? " x <\/dev\/tty; echo "hi \$x"`, running for [\d.]+ s, waiting for input for [\d.]+ s: "Name\?"\); [^\n]*#!send TEXT\\r \(answer it\)/);
    expect(await req('s2', '#!send bob\\r\n')).toBe('bob\nhi bob\npty-relay: job 1 ended with exit status 0\n');
  });

  it('runs after a job that is just finishing, with exactly its output', async () => {
    expect(await req('s3', 'true\n')).toBe('');
    const first = live('s3', 'sleep 0.3; echo first\n');
    await waitFor('the first job to run', async () => (/^2 +running /m.test(await req('s3', '#!jobs\n')) ? true : undefined));
    expect(await req('s3', 'echo second\n')).toBe('second\n');
    expect((await first.done).stdout).toBe('first\n');
  });

  it('with #!queue waits in line for the job instead', async () => {
    const f = fifo();
    const holder = live('s4', `read x < ${f.path}; echo held-done\n`);
    await waitFor('the holding job to run', async () => (/^1 +running /m.test(await req('s4', '#!jobs\n')) ? true : undefined));
    const c = live('s4', '#!queue\necho after\n');
    await waitFor('the waiting line', () => (/waiting\.*$/.test(c.out()) ? true : undefined));
    f.release();
    expect((await c.done).stdout).toMatch(/^pty-relay: job 2 waits for job 1 in session s4 [^\n]*; it runs when it ends, if within 60 s \(#!timeout\); [^\n]*; waiting\.*\nafter\n$/);
    expect((await holder.done).stdout).toBe('held-done\n');
  });
});

describe('a reply that repeats output an earlier reply may have delivered', () => {
  it('says which range comes again before it', async () => {
    const f = fifo();
    const c = live('r1', `echo line1; read x < ${f.path}; echo line2\n`);
    await waitFor('the first line to arrive', () => (c.out() === 'line1\n' ? true : undefined));
    c.kill();
    await c.done;
    f.release();
    await d.waitLog('exec.done', (l) => l.session === 'r1' && l.job === 1);
    // Its reply went on into the vanished client's socket (line2 too, when the kernel took it).
    expect(await req('r1', '#!wait 1\n')).toMatch(/^pty-relay: offsets 0 to (6|12) of job 1's output were sent before, in a reply that may not have reached its client \(it left before that reply ended\); they are repeated here\nline1\nline2\n$/);
    // Delivered now: nothing is said again.
    expect(await req('r1', '#!wait 1\n')).toMatch(/^pty-relay: job 1 \(`echo line1; [^\n]*`\) in session r1 ended [^\n]* with exit status 0; all 12 bytes of its output were delivered before; again: #!output 1; first line of each: #!session r1\n$/);
  });
});

describe('pty-relay exec', () => {
  it("prints only the command's output on stdout, and the relay's words on stderr", async () => {
    const f = fifo();
    expect(await req('x1', `(read x < ${f.path}; echo bg-line) &\n`)).toBe('');
    f.release();
    await waitFor('the background line on the screen', async () => ((await req('x1', '#!screen\n')).includes('bg-line') ? true : undefined));
    const r = await relayExec(d.port, ['-s', 'x1', '--', 'echo out; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toMatch(/^pty-relay: printed while no command ran \(\d+ bytes since [\d:]+\):\n(\[1\]\+ +Done[^\n]*\n)?bg-line\n/);
  });

  it('asks an older daemon again without #!notes, which it refuses as unknown', async () => {
    const seen: string[][] = [];
    const peer = await scriptedPeer((r) => {
      seen.push(r.directives);
      if (r.directives.includes('#!notes')) return `pty-relay: error: unknown directive "#!notes" (known: session, trailer)\n\0${r.trailer};255;error\n`;
      return `old-out\n\0${r.trailer};0;exit\n`;
    });
    try {
      const r = await relayExec(peer.port, ['--', 'echo', 'x']);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, 'old-out\n', '']);
      expect(seen.map((ds) => ds.includes('#!notes'))).toEqual([true, false]);
    } finally {
      peer.close();
    }
  });
});
