// journal/ owns the sessions on disk that a daemon after a crash takes over: this journal and the
// files that keep a stream's newest bytes (tail-file.ts).
//
// A session on disk, so that a daemon that starts after a crash can take it over from its holder
// (holder/) knowing what the dead one knew: its jobs, their output, what was delivered, and the
// terminal's recent output. Everything lives in the session's private directory (0700), 0600:
//
//   state.json      the session as a handover (upgrade/) without its byte strings, rewritten
//                   (atomically, off the request path) when a job starts or ends
//   output.log      the session's output as attached terminals saw it (a TailFile: the ring's size)
//   job-N.out       job N's output as its store holds it (a TailFile: the store's size); removed
//                   when the session's budget releases it or the job leaves the history
//   delivered.log   "N OFFSET" lines: how far a completed reply delivered job N's output (the
//                   largest offset per job counts; compacted now and then)
//
// Output is written as the daemon reads it (gathered per event-loop turn, one writev(2) per file),
// so what a crashed daemon saw is on disk but for the turn it died in; what it never read, its
// holder kept.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Job, JobSink } from '../jobs/job';
import { TailFile } from './tail-file';

// A request moves its job through several states within a few ms (start, output begins, output
// processing off and on, end): one snapshot for them all, taken once the change under way is complete.
const SAVE_DELAY_MS = 5;
const STATE = 'state.json';
const OUTPUT = 'output.log';
const DELIVERED = 'delivered.log';
// The delivered log is compacted past this (a line per reply: ~3,000 replies).
const DELIVERED_LOG_BYTES = 64 * 1024;
// The parts of a session's handover (session/session.ts: JournalState) that the journal reads
// and fills in; a snapshot is that handover, without its byte strings.
export interface JournalState {
  name: string;
  createdAt: number;
  shell: { pid: number; nonce: string | null } | null;
  audience: { cols: number; rows: number; ring: { capacity: number; head: number; data: Buffer }; screen: unknown; inputSeen: unknown[] };
  runner: { state: string; queue: unknown[]; table: { next: number; jobs: Array<{ id: number; delivered: number; endTold?: boolean; output: { head: number; data: Buffer } | null }> } };
}

const jobFile = (id: number): string => `job-${id}.out`;

export class SessionJournal implements JobSink {
  private readonly ring: TailFile;
  private readonly outputs = new Map<number, TailFile>();
  // Jobs whose output file is on disk (written here, or left by the daemon before): only those
  // have a file to remove when they leave the history. Most requests print nothing, and removing
  // a file that is not there cost each request ~0.1-0.4 ms of the reply's path (a failed lstat is
  // a thrown error).
  private readonly onDisk = new Set<number>();
  private deliveredFd: number | null = null;
  private deliveredBytes = 0;
  private writing = false;
  private dirty = false;
  private generation = 0; // of the newest state written or being written
  private scheduled = false;
  private closed = false;

  // `snapshot` gives the session's state now (its byte strings are left out of state.json).
  constructor(
    private readonly dir: string,
    ringBytes: number,
    ringHead: number,
    private readonly snapshot: () => JournalState,
  ) {
    this.ring = new TailFile(path.join(dir, OUTPUT), ringBytes, ringHead);
    for (const f of safeList(dir)) {
      const m = /^job-(\d+)\.out(\.1)?$/.exec(f);
      if (m !== null) this.onDisk.add(Number(m[1]));
    }
  }

  // Output as attached terminals see it (the ring's bytes), written at once, before any client
  // gets it or any shell-integration mark in it moves a job (Audience.onOutput): one write per
  // read from the terminal. Gathered for the rest of the turn, a kill -9 after a reply that a mark
  // ended could leave the mark off the disk, and the next daemon waiting for that job's end.
  terminal(data: Buffer): void {
    this.ring.append(data, true);
  }

  output(job: Job, data: Buffer): void {
    let f = this.outputs.get(job.id);
    if (f === undefined) {
      f = new TailFile(path.join(this.dir, jobFile(job.id)), job.capacity, job.head - data.length);
      this.outputs.set(job.id, f);
      this.onDisk.add(job.id);
    }
    f.append(data);
  }

  changed(job: Job, what: 'start' | 'mark' | 'end' | 'delivered' | 'told' | 'released'): void {
    if (this.closed) return;
    if (what === 'delivered') return this.appendDelivered(`${job.id} ${job.delivered}\n`);
    if (what === 'told') return this.appendDelivered(`told ${job.id} ${job.endTold ? 1 : 0}\n`);
    if (what === 'released') {
      this.outputs.get(job.id)?.discard();
      this.outputs.delete(job.id);
      // Off the reply's path (this runs as a job ends): nothing reads a released job's file.
      if (this.onDisk.delete(job.id)) TailFile.removeLater(path.join(this.dir, jobFile(job.id)));
      return;
    }
    if (what === 'end') {
      this.outputs.get(job.id)?.close();
      this.outputs.delete(job.id);
    }
    // A job that took the notice of a lost shell tells it to its reader: on disk at once (once
    // Job.start() returned), else a crash in the next few ms had the next daemon tell it again.
    if (what === 'start' && job.startNotice !== null) queueMicrotask(() => this.saveNow());
    else this.save();
  }

  // Writes state.json soon (SAVE_DELAY_MS: a job that starts is the runner's current job only after
  // Job.start() returned), off the request path; a change during the write writes it again.
  save(): void {
    if (this.closed || this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.write();
    }, SAVE_DELAY_MS);
  }

  // Writes the snapshot now, synchronously (the daemon is about to exit).
  saveNow(): void {
    if (this.closed) return;
    this.generation++; // a write under way has an older state: it must not replace this one
    const tmp = path.join(this.dir, `${STATE}.now`);
    try {
      fs.rmSync(tmp, { force: true });
      fs.writeFileSync(tmp, this.text(), { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, path.join(this.dir, STATE));
    } catch {
      // the last state written stays
    }
  }

  private text(): string {
    const text = JSON.stringify(this.snapshot(), (_k, v: unknown) => (isBufferJson(v) ? { $bytes: 'journal' } : v));
    return text;
  }

  private write(): void {
    if (this.closed) return;
    if (this.writing) {
      this.dirty = true;
      return;
    }
    this.writing = true;
    this.dirty = false;
    const text = this.text();
    const generation = ++this.generation;
    const tmp = path.join(this.dir, `${STATE}.tmp`);
    // The bytes go out off the event loop; the rename is made on it, so that it can never land
    // after a newer state that saveNow() wrote meanwhile (under load a write took longer than the
    // session's start and ready: the state without its shell replaced the one with it, and the
    // next daemon started a second shell, leaving the first to its holder).
    fs.promises
      .writeFile(tmp, text, { mode: 0o600 })
      .then(() => (generation === this.generation && !this.closed ? fs.renameSync(tmp, path.join(this.dir, STATE)) : fs.rmSync(tmp, { force: true })))
      .catch(() => undefined) // a full disk: the last state that was written stays
      .finally(() => {
        this.writing = false;
        if (this.dirty) this.write();
      });
  }

  // Stops writing; `remove`: the session ended for good, so are its files.
  close(remove: boolean): void {
    this.closed = true;
    this.ring.close();
    for (const f of this.outputs.values()) f.close();
    this.outputs.clear();
    if (this.deliveredFd !== null) fs.closeSync(this.deliveredFd);
    this.deliveredFd = null;
    if (!remove) return;
    for (const f of safeList(this.dir)) if (f === STATE || f === OUTPUT || f === DELIVERED || /^job-\d+\.out$/.test(f) || /^(output\.log|job-\d+\.out)\.1$/.test(f)) fs.rmSync(path.join(this.dir, f), { force: true });
  }

  // One line per completed reply (a few bytes, written at once: the reply's client has it now),
  // "ID OFFSET", and one per job whose end a reply told (or untold: a #!kill that failed), "told ID
  // 1|0". Past DELIVERED_LOG_BYTES the log is rewritten with one of each per job (load takes the
  // maximum offset and the last word on telling).
  private appendDelivered(line: string): void {
    try {
      this.deliveredFd ??= fs.openSync(path.join(this.dir, DELIVERED), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
      fs.writeSync(this.deliveredFd, line);
      this.deliveredBytes += line.length;
      if (this.deliveredBytes > DELIVERED_LOG_BYTES) this.compactDelivered();
    } catch {
      // a full disk: a later #!wait may repeat some output, never lose it
    }
  }

  private compactDelivered(): void {
    const lines = this.snapshot()
      .runner.table.jobs.map((j) => `${j.id} ${j.delivered}\n${j.endTold === true ? `told ${j.id} 1\n` : ''}`)
      .join('');
    const file = path.join(this.dir, DELIVERED);
    fs.writeFileSync(`${file}.tmp`, lines, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    if (this.deliveredFd !== null) fs.closeSync(this.deliveredFd);
    this.deliveredFd = null;
    this.deliveredBytes = lines.length;
  }

  // The session as a crashed daemon left it, and the output it saw after its last snapshot (the
  // marks in it say where its jobs stood); null when there is no usable state.
  static load(dir: string): { state: JournalState; unsnapped: Buffer } | null {
    let state: JournalState;
    try {
      const fd = fs.openSync(path.join(dir, STATE), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        state = JSON.parse(fs.readFileSync(fd, 'utf8'), (_k, v: unknown) => (isJournalRef(v) ? Buffer.alloc(0) : v)) as JournalState;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return null;
    }
    if (!wellFormed(state)) return null;
    const ring = TailFile.read(path.join(dir, OUTPUT));
    const snapHead = state.audience.ring.head;
    const unsnapped = ring === null || ring.head <= snapHead ? Buffer.alloc(0) : ring.data.subarray(Math.max(0, ring.data.length - (ring.head - snapHead)));
    if (ring !== null) state.audience.ring = { capacity: state.audience.ring.capacity, head: ring.head, data: ring.data };
    state.audience.screen = null;
    state.audience.inputSeen = [];
    for (const j of state.runner.table.jobs) {
      const out = TailFile.read(path.join(dir, jobFile(j.id)));
      if (out !== null) j.output = { head: out.head, data: out.data };
    }
    applyDelivered(dir, state);
    return { state, unsnapped };
  }
}

// The parts of a snapshot that recovery reads, there and of the right kinds (a damaged or foreign
// file is no state at all).
function wellFormed(s: JournalState): boolean {
  const a = s?.audience as Partial<JournalState['audience']> | undefined;
  const r = s?.runner as Partial<JournalState['runner']> | undefined;
  return (
    typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.createdAt === 'number' &&
    typeof a?.cols === 'number' && typeof a.rows === 'number' && typeof a.ring?.capacity === 'number' && typeof a.ring.head === 'number' &&
    typeof r?.state === 'string' && Array.isArray(r.queue) && Array.isArray(r.table?.jobs) && typeof r.table.next === 'number' &&
    r.table.jobs.every((j) => typeof j?.id === 'number' && typeof j.delivered === 'number') &&
    (s.shell === null || (typeof s.shell?.pid === 'number' && (s.shell.nonce === null || typeof s.shell.nonce === 'string')))
  );
}

function applyDelivered(dir: string, state: JournalState): void {
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, DELIVERED), 'latin1');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    const told = /^told (\d+) ([01])$/.exec(line);
    const m = told ?? /^(\d+) (\d+)$/.exec(line);
    const job = m === null ? undefined : state.runner.table.jobs.find((j) => j.id === Number(m[1]));
    if (job === undefined) continue;
    if (told !== null) job.endTold = told[2] === '1';
    else job.delivered = Math.max(job.delivered, Number(m?.[2]));
  }
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isBufferJson(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

function isJournalRef(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { $bytes?: unknown }).$bytes === 'journal';
}
