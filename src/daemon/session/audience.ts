// Everything a session keeps for attached clients: the ring of its output, the headless mirror
// of its screen, the attached peers, their merged input and the window-size policy.
//
// Resize policy ("latest", as tmux): the PTY takes the size of the writer that most recently
// attached, resized or typed. Read-only observers never change the size, nor does a writer that
// attached with keepSize (a phone on a shared session) until it sends a size of its own.
import { Mirror, promptOf, type ScreenText } from '../mirror/mirror';
import { Ring, type RingRead } from '../base/ring';

export interface AttachPeer {
  readonly readOnly: boolean;
  // More output is in the ring.
  wake(): void;
  // The session's program ended.
  ended(status: number, signal: number): void;
  // A writer that leaves the session's size alone until it resizes.
  readonly keepSize?: boolean;
  // The session's size changed.
  resized?(cols: number, rows: number): void;
}

export interface PtyTarget {
  write(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
}

// The audience's state as handed to a new daemon (upgrade/): attached peers reconnect by themselves.
export interface AudienceHandover {
  cols: number;
  rows: number;
  ring: { capacity: number; head: number; data: Buffer };
  inputSeen: Array<[string, number]>; // so that input resent after the reconnect lands once
  idleMs: number;
  screen: { offset: number; data: Buffer } | null; // the mirror's screen, when it was started
}

// Clients remembered for input de-duplication after a reconnect.
const MAX_REMEMBERED_CLIENTS = 256;

export class Audience {
  readonly ring: Ring;
  private mirror: Mirror | null = null;
  private readonly peers = new Map<AttachPeer, { cols: number; rows: number } | null>();
  private readonly inputSeen = new Map<string, number>();
  private lastActive = Date.now();
  // A copy of every byte the ring gets (journal/), written at once: no client ever holds output
  // that a kill -9 would take from the disk (after a crash the next daemon would give its offsets
  // to other bytes, and the client, resuming from there, would skip them), and no mark in it moves
  // a job before it is on disk (the next daemon would wait for a job end it never reads).
  onOutput: ((data: Buffer) => void) | null = null;
  private readonly outputWatchers = new Set<() => void>();
  // How the program ended (a program session's end: its exit status, or the signal that killed it).
  exit: { status: number; signal: number } | null = null;
  private readonly endWatchers = new Set<() => void>();
  private lastScreen: Promise<ScreenText> | null = null; // the screen as the program left it

  constructor(
    ringBytes: number,
    private cols: number,
    private rows: number,
    private readonly pty: PtyTarget,
    ring?: Ring,
  ) {
    this.ring = ring ?? new Ring(ringBytes);
  }

  // The state a new daemon needs (call while the session is frozen).
  async handover(): Promise<AudienceHandover> {
    const screen = this.mirror === null ? null : await this.mirror.snapshot();
    const { cols, rows, idleMs } = this;
    return { cols, rows, ring: { capacity: this.ring.capacity, ...this.ring.export() }, inputSeen: [...this.inputSeen], idleMs, screen };
  }

  // The state for a journal's snapshot: the ring's bytes and the screen are left out (journal/).
  journalState(): AudienceHandover {
    const { cols, rows, idleMs } = this;
    return { cols, rows, ring: { capacity: this.ring.capacity, head: this.ring.head, data: Buffer.alloc(0) }, inputSeen: [], idleMs, screen: null };
  }

  // An audience with what an earlier daemon handed over: the ring, and the screen replayed into a
  // fresh mirror as the output that ends at its offset.
  static restore(h: AudienceHandover, pty: PtyTarget): Audience {
    const a = new Audience(h.ring.capacity, h.cols, h.rows, pty, Ring.restore(h.ring.capacity, h.ring.head, h.ring.data));
    for (const [client, upTo] of h.inputSeen) a.remember(client, upTo);
    a.lastActive = Date.now() - h.idleMs;
    if (h.screen !== null) {
      const start = h.screen.offset - h.screen.data.length;
      a.mirror = new Mirror(h.cols, h.rows, start);
      a.mirror.write(start, h.screen.data);
      // Output after the screen's offset, if the snapshot lagged behind the ring.
      for (let o = Math.max(h.screen.offset, a.ring.tail); o < a.ring.head; ) {
        const r = a.ring.read(o, 1024 * 1024);
        if (r.kind !== 'data') break;
        a.mirror.write(o, r.data);
        o += r.data.length;
      }
    }
    return a;
  }

  // Output from the PTY: into the ring and the mirror, then every peer pulls what it can take.
  output(data: Buffer): void {
    const offset = this.ring.head;
    this.ring.append(data);
    this.onOutput?.(data);
    this.mirror?.write(offset, data);
    this.lastActive = Date.now();
    for (const peer of this.peers.keys()) peer.wake();
    for (const fn of this.outputWatchers) fn();
  }

  // Calls `fn` whenever the terminal gets output (a `#!send` reply waits for a full-screen
  // program's drawing to stop); returns the unsubscribe function.
  watchOutput(fn: () => void): () => void {
    this.outputWatchers.add(fn);
    return () => this.outputWatchers.delete(fn);
  }

  read(from: number, max: number): RingRead {
    return this.ring.read(from, max);
  }

  add(peer: AttachPeer, cols: number, rows: number): void {
    const drives = !peer.readOnly && peer.keepSize !== true;
    this.peers.set(peer, drives ? { cols, rows } : null);
    if (drives) this.setSize(cols, rows);
  }

  // Returns whether the peer was attached.
  remove(peer: AttachPeer): boolean {
    return this.peers.delete(peer);
  }

  get clients(): number {
    return this.peers.size;
  }

  get idleMs(): number {
    return Date.now() - this.lastActive;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  // Input from a writer, `offset` being its position in that client's own input stream. Bytes the
  // session already got (resent after a reconnect) are skipped, so each keystroke lands once.
  input(peer: AttachPeer, clientId: string, offset: number, data: Uint8Array): void {
    if (peer.readOnly) return;
    const seen = this.inputSeen.get(clientId) ?? 0;
    const skip = Math.max(0, seen - offset);
    if (skip < data.length) {
      this.pty.write(skip === 0 ? data : data.subarray(skip));
      const s = this.peers.get(peer);
      if (s !== undefined && s !== null) this.setSize(s.cols, s.rows);
    }
    this.remember(clientId, Math.max(seen, offset + data.length));
    this.lastActive = Date.now();
  }

  // A client the audience does not know (the daemon took the session over after a crash, with no
  // input memory): what it says went out over its earlier connections counts as received.
  assumeInput(clientId: string, written: number): void {
    if (!this.inputSeen.has(clientId) && written > 0) this.remember(clientId, written);
  }

  // How much of a client's input stream the session has received.
  inputAck(clientId: string): number {
    return this.inputSeen.get(clientId) ?? 0;
  }

  resize(peer: AttachPeer, cols: number, rows: number): void {
    if (peer.readOnly || !this.peers.has(peer)) return;
    this.peers.set(peer, { cols, rows });
    this.setSize(cols, rows);
  }

  // The current screen and the offset it stands for.
  snapshot(): Promise<{ offset: number; data: Buffer }> {
    return this.screenMirror().snapshot();
  }

  // The visible rows drawn in place for a client `cols` x `rows` (mirror/repaint.ts), and the
  // offset they stand for.
  repaint(cols: number, rows: number): Promise<{ offset: number; data: Buffer }> {
    return this.screenMirror().repaint(rows, cols);
  }

  // The current screen as plain text rows, the cursor, and whether the alternate screen is on.
  screenText(): Promise<ScreenText> {
    return this.lastScreen ?? this.screenMirror().screenText();
  }

  // The line a waiting program prompts on: the cursor's, or the last non-empty one above it (only
  // when the job `printed` a line of its own, see promptOf).
  async promptLine(printed = true): Promise<{ prompt: string; fullScreen: boolean }> {
    const s = await this.screenText();
    return { prompt: promptOf(s, printed), fullScreen: s.altScreen };
  }

  // The mirror starts on first use, from the ring.
  private screenMirror(): Mirror {
    if (this.mirror === null) {
      this.mirror = new Mirror(this.cols, this.rows, this.ring.tail);
      for (let o = this.ring.tail; o < this.ring.head; ) {
        const r = this.ring.read(o, 1024 * 1024);
        if (r.kind !== 'data') break;
        this.mirror.write(o, r.data);
        o += r.data.length;
      }
    }
    return this.mirror;
  }

  // The program ended: tell every peer and every end watcher.
  ended(status: number, signal: number): void {
    this.exit = { status, signal };
    for (const peer of [...this.peers.keys()]) peer.ended(status, signal);
    this.peers.clear();
    for (const fn of [...this.endWatchers]) fn();
  }

  // Calls `fn` once the program ends (a program session's `#!send`); returns the unsubscribe function.
  watchEnd(fn: () => void): () => void {
    this.endWatchers.add(fn);
    return () => this.endWatchers.delete(fn);
  }

  // Ends the mirror; its last screen stays readable (asked for before its end, which the mirror
  // worker answers in order), for a reply about the keystrokes that ended the program.
  dispose(): void {
    const m = this.mirror;
    this.mirror = null;
    if (m === null) return;
    this.lastScreen = m.screenText();
    void this.lastScreen.finally(() => m.dispose());
  }

  private setSize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    this.pty.resize(cols, rows);
    this.mirror?.resize(cols, rows);
    for (const peer of this.peers.keys()) peer.resized?.(cols, rows);
  }

  private remember(clientId: string, upTo: number): void {
    this.inputSeen.delete(clientId);
    this.inputSeen.set(clientId, upTo);
    if (this.inputSeen.size > MAX_REMEMBERED_CLIENTS) {
      const oldest = this.inputSeen.keys().next().value;
      if (oldest !== undefined) this.inputSeen.delete(oldest);
    }
  }
}
