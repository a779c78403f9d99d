// What a session hands over survives the trip: rings and job output stay addressed by the same
// absolute offsets, and a job's state, delivered offset and numbering carry on.
import { describe, expect, it } from 'vitest';
import { Job } from '../../../../src/daemon/jobs/job';
import { JobTable } from '../../../../src/daemon/jobs/job-table';
import { Ring } from '../../../../src/daemon/base/ring';
import { decodeDocument, encodeDocument, readFormat } from '../../../../src/daemon/upgrade/document';

// Through the real document encoding, as the new daemon would get it.
function travel<T>(value: T): T {
  const doc = { format: 1, from: { pid: 1, version: 'x' }, runtimeDir: '/', inherited: 0, listeners: [], sessions: [{ fd: null, input: Buffer.alloc(0), state: value as never }] };
  return decodeDocument(readFormat(Buffer.concat(encodeDocument(doc)))!.rest).sessions[0]!.state as unknown as T;
}

function bytes(n: number, from = 0): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));
}

describe('Ring.restore', () => {
  it.each([
    ['an empty ring', 100, 0],
    ['a ring that never wrapped', 100, 60],
    ['a full ring that wrapped many times', 100, 1_234],
    ['a large one past its first allocation', 100_000, 250_001],
  ])('restores %s at the same offsets', (_, capacity, total) => {
    const ring = new Ring(capacity);
    for (let at = 0; at < total; at += 37) ring.append(bytes(Math.min(37, total - at), at));
    const exported = travel(ring.export());
    const back = Ring.restore(capacity, exported.head, exported.data);
    expect([back.head, back.tail]).toEqual([ring.head, ring.tail]);
    const r = back.read(back.tail, capacity);
    expect(r.kind === 'data' ? r.data : Buffer.alloc(0)).toEqual(bytes(ring.head - ring.tail, ring.tail));
    back.append(bytes(10, 7));
    expect(back.head).toBe(ring.head + 10);
    const tail = back.read(back.head - 10, 10);
    expect(tail.kind === 'data' ? tail.data : null).toEqual(bytes(10, 7));
  });

  it('holds no byte it was not given, even with more room than the old ring had', () => {
    const ring = new Ring(10);
    ring.append(bytes(25));
    const back = Ring.restore(1_000, ring.head, ring.export().data);
    expect(back.tail).toBe(15);
    expect(back.read(3, 5)).toEqual({ kind: 'gap', from: 3, to: 15 });
  });
});

describe('Job handover', () => {
  it('carries state, output, delivered offset and times; its readers stay behind', () => {
    const job = new Job(7, { command: 'make', origin: 'exec', interactive: false, raw: false }, 64);
    job.start();
    job.append(bytes(100));
    job.delivered = 40;
    job.setWaiting({ prompt: 'Password:', echoOff: true, fullScreen: false });
    const back = Job.restore(travel(job.handover()));
    expect([back.id, back.state, back.delivered, back.head, back.tail, back.everWaited]).toEqual([7, 'input', 40, 100, 36, true]);
    expect(back.waiting).toEqual({ prompt: 'Password:', echoOff: true, fullScreen: false });
    expect(back.startedAt?.getTime()).toBe(job.startedAt?.getTime());
    expect(back.read(40, 100)).toEqual({ kind: 'data', offset: 40, data: bytes(60, 40) });
    expect(back.read(0, 10)).toEqual({ kind: 'gap', from: 0, to: 36 });
    back.end({ kind: 'exit', status: 0 });
    expect(back.state).toBe('done');
  });

  it('carries a job whose output the budget released as the gap it was', () => {
    const job = new Job(1, { command: 'x', origin: 'terminal', interactive: true, raw: false });
    job.append(bytes(50));
    job.end({ kind: 'exit', status: 3 });
    job.release();
    const back = Job.restore(travel(job.handover()));
    expect([back.state, back.status, back.head]).toEqual(['done', 3, 50]);
    expect(back.read(0, 10)).toEqual({ kind: 'gap', from: 0, to: 50 });
  });

  it('keeps numbering jobs where the old table stopped', () => {
    const table = new JobTable();
    for (let i = 0; i < 3; i++) table.create({ command: `c${i}`, origin: 'exec', interactive: false, raw: false });
    const back = new JobTable();
    back.restore(travel(table.handover()));
    expect(back.list().map((j) => j.id)).toEqual([1, 2, 3]);
    expect(back.create({ command: 'next', origin: 'exec', interactive: false, raw: false }).id).toBe(4);
  });

  it('ends every reply following a job, which runs on', () => {
    const job = new Job(1, { command: 'x', origin: 'exec', interactive: false, raw: false });
    job.start();
    const seen: boolean[] = [];
    job.watch(() => seen.push(job.released));
    job.releaseReaders();
    expect(seen).toEqual([true]);
    expect([job.released, job.live]).toEqual([false, true]);
  });
});
