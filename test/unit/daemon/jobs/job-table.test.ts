import { describe, expect, it } from 'vitest';
import { Job, preview } from '../../../../src/daemon/jobs/job';
import { JobTable } from '../../../../src/daemon/jobs/job-table';

const spec = { command: 'echo hi', origin: 'exec' as const, interactive: false, raw: false };

describe('Job', () => {
  it('keeps output by absolute offset and says when the oldest bytes were dropped', () => {
    const j = new Job(1, spec, 16);
    j.start();
    j.append(Buffer.from('0123456789'));
    j.append(Buffer.from('abcdefghij'));
    expect(j.head).toBe(20);
    expect(j.tail).toBe(4);
    expect(j.read(0, 100)).toEqual({ kind: 'gap', from: 0, to: 4 });
    expect(j.read(4, 100)).toMatchObject({ kind: 'data', data: Buffer.from('456789abcdefghij') });
    expect(j.read(20, 100)).toEqual({ kind: 'none' });
  });

  it.each([
    [{ kind: 'exit', status: 0 } as const, 'done', 0, null],
    [{ kind: 'exit', status: 3 } as const, 'done', 3, null],
    [{ kind: 'shell-exit', status: 1, message: 'gone' } as const, 'done', 1, 'gone'],
    [{ kind: 'failed', message: 'nope' } as const, 'failed', null, 'nope'],
  ])('ends %j as %s', (end, state, status, message) => {
    const j = new Job(1, spec);
    j.start();
    j.end(end);
    expect([j.state, j.status, j.endMessage, j.live]).toEqual([state, status, message, false]);
  });

  it('reads "killed" when #!kill stopped it, and goes from waiting back to running on output', () => {
    const j = new Job(1, spec);
    const seen: string[] = [];
    j.watch(() => seen.push(j.state));
    j.start();
    j.setWaiting({ prompt: 'Password:', echoOff: true, fullScreen: false });
    j.append(Buffer.from('x'));
    j.killedBy = 'SIGTERM';
    j.end({ kind: 'exit', status: 143 });
    expect(seen).toEqual(['running', 'input', 'running', 'killed']);
    expect(j.everWaited).toBe(true);
  });

  it('measures the slowest pacing reader', () => {
    const j = new Job(1, spec);
    const a = {};
    const b = {};
    j.append(Buffer.alloc(100));
    expect(j.lag()).toBe(0);
    j.pace(a, 40);
    j.pace(b, 90);
    expect(j.lag()).toBe(60);
    j.pace(a, null);
    expect(j.lag()).toBe(10);
  });

  it.each([
    ['make test', 'make test'],
    ['  a\nb\nc\n', 'a (+2 lines)'],
    ['x'.repeat(70), `${'x'.repeat(57)}...`],
  ])('previews %j', (cmd, want) => {
    expect(preview(cmd)).toBe(want);
  });
});

describe('JobTable', () => {
  it('numbers jobs from 1 and keeps a bounded history of finished ones', () => {
    const t = new JobTable(3, 1024);
    const jobs = Array.from({ length: 5 }, () => t.create(spec));
    expect(jobs.map((j) => j.id)).toEqual([1, 2, 3, 4, 5]);
    for (const j of jobs.slice(0, 4)) j.end({ kind: 'exit', status: 0 });
    t.trim();
    expect(t.list().map((j) => j.id)).toEqual([2, 3, 4, 5]);
    expect(t.get(1)).toBeUndefined();
    expect(t.latest()?.id).toBe(5);
  });

  it('releases the oldest finished output first when over the budget, never a live job', () => {
    const t = new JobTable(100, 40_000);
    const [a, b, c] = [t.create(spec), t.create(spec), t.create(spec)];
    for (const j of [a, b, c]) j!.append(Buffer.alloc(16 * 1024));
    a!.end({ kind: 'exit', status: 0 });
    b!.end({ kind: 'exit', status: 0 });
    t.trim();
    expect([a!.allocated, b!.allocated > 0, c!.allocated > 0]).toEqual([0, true, true]);
    expect(a!.read(0, 10)).toEqual({ kind: 'gap', from: 0, to: 16 * 1024 });
  });
});
