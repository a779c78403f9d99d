// A job: one command run in a session, from an exec request or typed by a person in the terminal.
// Its output is captured from start to end whether or not a client reads it, in a bounded store
// addressed by absolute offset (a Ring): when a job outgrows it, the oldest bytes are dropped and a
// reader is told how many were lost. `delivered` is how far a reply that reached its client got, so
// `#!wait` hands out each byte once across replies.
import { Ring } from '../base/ring';
import type { InputWait, JobEnd, JobHandover, JobSpec, JobState } from './job-types';

export type { InputWait, JobEnd, JobHandover, JobOrigin, JobSpec, JobState } from './job-types';

// Output a job keeps. 16 MiB holds a 10 MB log whole (so `#!output` can fetch any range of it),
// and the session's budget (job-table.ts) bounds what all of its jobs keep together.
export const JOB_OUTPUT_BYTES = 16 * 1024 * 1024;

// Who keeps a copy of jobs outside the daemon's memory (journal/): every byte of output, and the
// moments worth a new snapshot. Called synchronously; must not throw.
export interface JobSink {
  output(job: Job, data: Buffer): void;
  changed(job: Job, what: 'start' | 'mark' | 'end' | 'delivered' | 'told' | 'released'): void;
}

export class Job {
  startedAt: Date | null = null;
  endedAt: Date | null = null;
  state: JobState = 'queued';
  status: number | null = null; // exit status, when known
  endMessage: string | null = null; // why it ended, when not by a plain exit
  killedBy: string | null = null; // the signal `#!kill` needed
  waiting: InputWait | null = null;
  waitingSince: Date | null = null; // when the current input wait began
  everWaited = false; // it waited for input at least once
  sink: JobSink | null = null;
  private deliveredTo = 0;
  private toldEnd = false;
  // One past the last output byte a reply wrote, whether or not it surely arrived (a reply that
  // sends bytes `delivered` has not reached says that it repeats them). Not handed over.
  offered = 0;
  startNotice: string | null = null; // told to the job's first reader (a previous shell ended)
  // Replies following the job now: one of them tells its end, should it end meanwhile.
  replies = 0;
  // Called when a reader that paces the job moved on (the session may resume the PTY).
  onPaced: (() => void) | null = null;
  // Called when the job starts waiting for input (not again until it stopped waiting).
  onWaiting: ((w: InputWait) => void) | null = null;
  // A queued job's request asks, just before the job would start, whether its client is still
  // there (exec/queued.ts); false drops the job unrun. Not handed over: its connection stays here.
  claim: (() => Promise<boolean>) | null = null;
  private readonly pacers = new Map<object, number>();
  private store: Ring | null;
  private dropped = 0; // bytes released by the session's budget (the store itself is gone)
  private readonly listeners = new Set<() => void>();
  private releasing = false;

  constructor(
    readonly id: number,
    readonly spec: JobSpec,
    private readonly storeBytes: number = JOB_OUTPUT_BYTES,
    readonly queuedAt = new Date(),
  ) {
    this.store = new Ring(storeBytes);
  }

  // Bytes its output store holds at most.
  get capacity(): number {
    return this.storeBytes;
  }

  // The job as handed to a new daemon; without `output`, its store's bytes are left out (a
  // journal's snapshot: they are on disk already).
  handover(output = true): JobHandover {
    const time = (d: Date | null): number | null => d?.getTime() ?? null;
    const { id, spec, state, status, endMessage, killedBy, waiting, everWaited, delivered, startNotice, endTold, storeBytes, dropped } = this;
    return { id, spec, queuedAt: this.queuedAt.getTime(), startedAt: time(this.startedAt), endedAt: time(this.endedAt), state, status, endMessage, killedBy, waiting, everWaited, delivered, startNotice, endTold, capacity: storeBytes, output: this.store === null ? null : output ? this.store.export() : { head: this.store.head, data: Buffer.alloc(0) }, dropped };
  }

  // A job handed over by an earlier daemon.
  static restore(h: JobHandover): Job {
    const job = new Job(h.id, h.spec, h.capacity, new Date(h.queuedAt));
    const date = (t: number | null): Date | null => (t === null ? null : new Date(t));
    Object.assign(job, { startedAt: date(h.startedAt), endedAt: date(h.endedAt), state: h.state, status: h.status, endMessage: h.endMessage, killedBy: h.killedBy });
    Object.assign(job, { waiting: h.waiting, everWaited: h.everWaited, delivered: h.delivered, startNotice: h.startNotice, endTold: h.endTold ?? true, dropped: h.dropped });
    job.store = h.output === null ? null : Ring.restore(h.capacity, h.output.head, h.output.data);
    return job;
  }

  // The output offset up to which a completed reply delivered the output.
  get delivered(): number {
    return this.deliveredTo;
  }

  set delivered(at: number) {
    if (at === this.deliveredTo) return;
    this.deliveredTo = at;
    this.sink?.changed(this, 'delivered');
  }

  // A reply wrote how the job ended (exec/waited-for.ts has the next request tell it otherwise).
  // Kept at once (journal/): a daemon killed just after must not have the next one tell it again.
  get endTold(): boolean {
    return this.toldEnd;
  }

  set endTold(told: boolean) {
    if (told === this.toldEnd) return;
    this.toldEnd = told;
    this.sink?.changed(this, 'told');
  }

  // True while releaseReaders() runs: every reply following the job ends (follow.ts).
  get released(): boolean {
    return this.releasing;
  }

  // Ends every reply now following this job, which runs on in a new daemon (upgrade/).
  releaseReaders(): void {
    this.releasing = true;
    try {
      this.changed();
    } finally {
      this.releasing = false;
    }
  }

  get command(): string {
    return this.spec.command;
  }

  // True until the job has ended (queued, running, or waiting for input).
  get live(): boolean {
    return this.state === 'queued' || this.state === 'running' || this.state === 'input';
  }

  // One past the last output byte.
  get head(): number {
    return this.store?.head ?? this.dropped;
  }

  // The oldest output byte still held.
  get tail(): number {
    return this.store?.tail ?? this.dropped;
  }

  // Bytes of memory the output store holds.
  get allocated(): number {
    return this.store?.allocated ?? 0;
  }

  // Output of the job, as it will be delivered (clean text, or raw bytes for `#!raw`). New output
  // means a program waiting for input got some, unless `held` says these bytes were printed before
  // (a partial line the cleaner held back until now).
  append(data: Buffer, held = false): void {
    if (data.length === 0) return;
    if (this.store === null) this.dropped += data.length;
    else this.store.append(data);
    this.sink?.output(this, data);
    if (this.state === 'input' && !held) {
      this.state = 'running';
      this.waiting = null;
      this.waitingSince = null;
    }
    this.changed();
  }

  // Whether the output's last KiB holds visible text, not only line ends: a job that printed none
  // has no line of its own on the screen (the one above the cursor is its command's echo).
  printedText(): boolean {
    const from = Math.max(this.tail, this.head - 1024);
    const r = this.read(from, this.head - from);
    return r.kind === 'data' && /\S/.test(r.data.toString('latin1'));
  }

  // Reads up to `max` bytes at `from`: data, a gap (the bytes left the store), or none yet.
  read(from: number, max: number): ReturnType<Ring['read']> {
    if (this.store === null) return from < this.dropped ? { kind: 'gap', from, to: this.dropped } : { kind: 'none' };
    return this.store.read(from, max);
  }

  start(): void {
    this.state = 'running';
    this.startedAt = new Date();
    this.sink?.changed(this, 'start');
    this.changed();
  }

  // The foreground program is (or is no longer, with null) waiting for terminal input.
  setWaiting(w: InputWait | null): void {
    if (!this.live || this.state === 'queued') return;
    const began = w !== null && this.state !== 'input';
    if (w !== null && this.waiting === null) this.waitingSince = new Date();
    if (w === null) this.waitingSince = null;
    this.waiting = w;
    if (w !== null) this.everWaited = true;
    this.state = w === null ? 'running' : 'input';
    this.changed();
    if (began) this.onWaiting?.(w);
  }

  end(e: JobEnd): void {
    if (!this.live) return;
    this.endedAt = new Date();
    this.waiting = null;
    this.waitingSince = null;
    this.claim = null;
    if (e.kind === 'exit') this.status = e.status;
    else if (e.kind === 'shell-exit') {
      this.status = e.status;
      this.endMessage = e.message;
    } else this.endMessage = e.message;
    this.state = this.killedBy !== null ? 'killed' : e.kind === 'failed' ? 'failed' : 'done';
    this.sink?.changed(this, 'end');
    this.changed();
  }

  // Frees the output store (the session's budget ran out); readers then see a gap.
  release(): void {
    if (this.store === null) return;
    this.dropped = this.store.head;
    this.store = null;
    this.sink?.changed(this, 'released');
  }

  // Calls `fn` on new output or a state change; returns the unsubscribe function.
  watch(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // A reader that paces the job is at `offset` (null: it stopped reading). While such a reader lags
  // far behind, the session pauses the PTY, so a slow client gets every byte (exec backpressure).
  pace(reader: object, offset: number | null): void {
    if (offset === null) this.pacers.delete(reader);
    else this.pacers.set(reader, offset);
    this.onPaced?.();
  }

  // How far the slowest pacing reader is behind the newest byte; 0 with no pacing reader.
  lag(): number {
    let min = Infinity;
    for (const o of this.pacers.values()) min = Math.min(min, o);
    return min === Infinity ? 0 : Math.max(0, this.head - min);
  }

  // Milliseconds the job ran (or has run so far); null while queued.
  durationMs(now = Date.now()): number | null {
    if (this.startedAt === null) return null;
    return (this.endedAt?.getTime() ?? now) - this.startedAt.getTime();
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

// The first line of a command, for listings and "busy running …" messages.
export function preview(command: string, max = 60): string {
  const trimmed = command.trim();
  const first = trimmed.split('\n', 1)[0] ?? '';
  const lines = trimmed === '' ? 0 : trimmed.split('\n').length;
  const short = first.length > max ? `${first.slice(0, max - 3)}...` : first;
  return lines > 1 ? `${short} (+${lines - 1} lines)` : short;
}
