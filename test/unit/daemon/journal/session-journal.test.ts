import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../../src/daemon/jobs/job';
import { SessionJournal, type JournalState } from '../../../../src/daemon/journal/session-journal';
import { emptyJournalState } from '../../../helpers/daemon-parts';
import { waitFor } from '../../../helpers/deadline';

// The parts of a job the journal reads.
const job = (id: number, head: number): Job => ({ id, head, capacity: 4096 }) as unknown as Job;
const state = emptyJournalState;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SessionJournal: the output files of jobs that leave the history', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-journal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('removes a released job\'s file, one an earlier daemon left too, and leaves the others', async () => {
    // Left by the daemon before this one (a session taken over after a crash).
    fs.writeFileSync(path.join(dir, 'job-3.out'), 'x');
    fs.writeFileSync(path.join(dir, 'job-3.out.1'), 'x');
    const j = new SessionJournal(dir, 1024, 0, state);
    const five = job(5, 2);
    j.output(five, Buffer.from('hi'));
    const six = job(6, 2);
    j.output(six, Buffer.from('ho'));
    await turn();
    j.changed(five, 'end');
    expect(fs.existsSync(path.join(dir, 'job-5.out'))).toBe(true);
    j.changed(five, 'released');
    j.changed(job(3, 0), 'released');
    j.changed(job(4, 0), 'released'); // printed nothing: no file
    await waitFor('the released files to go', () => (['job-5.out', 'job-3.out', 'job-3.out.1'].some((f) => fs.existsSync(path.join(dir, f))) ? undefined : true));
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('job-'))).toEqual(['job-6.out']);
    j.close(false);
  });
});

describe('SessionJournal: state.json', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-journal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never lets a write that was under way replace a newer state written at once', async () => {
    let s = state();
    const j = new SessionJournal(dir, 1024, 0, () => s);
    // The interleaving of a session started under load: the delayed write takes the state while the
    // shell is still starting and goes out off the loop; the shell runs and its state is written at
    // once, before that write is done.
    (j as unknown as { write(): void }).write();
    s = { ...state(), shell: { pid: 4242, nonce: 'n' } } as unknown as JournalState;
    j.saveNow();
    await waitFor('the earlier write to be done', () => ((j as unknown as { writing: boolean }).writing ? undefined : true));
    expect(SessionJournal.load(dir)?.state.shell).toMatchObject({ pid: 4242 });
    j.close(false);
  });

  it('writes terminal output at once, in the turn it was read (a mark in it may end a job whose reply goes out in that turn)', () => {
    const j = new SessionJournal(dir, 1024, 0, state);
    j.terminal(Buffer.from('12345\r\n\x1b]133;D;0\x07'));
    // No turn has passed: a kill -9 from here on leaves the mark on the disk for the next daemon.
    expect(fs.readFileSync(path.join(dir, 'output.log')).subarray(8).toString()).toBe('12345\r\n\x1b]133;D;0\x07');
    j.close(false);
  });

  it('keeps at once which job ends a reply told, for the daemon after a crash', () => {
    // The snapshot on disk still has job 2 untold (written before its reply ended).
    const withJob = (): JournalState => ({ ...state(), runner: { state: 'idle', queue: [], table: { next: 3, jobs: [{ id: 2, delivered: 0, endTold: false, output: null }] } } }) as unknown as JournalState;
    const j = new SessionJournal(dir, 1024, 0, withJob);
    j.saveNow();
    const two = { ...job(2, 0), endTold: true } as unknown as Job;
    j.changed(two, 'told');
    // No turn has passed: a kill -9 now.
    expect(SessionJournal.load(dir)?.state.runner.table.jobs[0]?.endTold).toBe(true);
    j.changed({ ...job(2, 0), endTold: false } as unknown as Job, 'told'); // a #!kill that failed takes it back
    expect(SessionJournal.load(dir)?.state.runner.table.jobs[0]?.endTold).toBe(false);
    j.close(false);
  });

  it('writes at once, as soon as the job started, that a job took the notice of a lost shell', async () => {
    const j = new SessionJournal(dir, 1024, 0, () => ({ ...state(), shell: { pid: 4242, nonce: 'n' } }) as unknown as JournalState);
    const taker = { ...job(1, 0), startNotice: 'the shell of session "s" was lost while no daemon ran; this is a new shell' } as unknown as Job;
    j.changed(taker, 'start');
    await Promise.resolve(); // the caller's turn is over: Job.start() returned
    expect(SessionJournal.load(dir)?.state.shell).toMatchObject({ pid: 4242 });
    j.close(false);
  });
});
