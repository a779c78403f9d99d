// The page's attachment to one session, surviving dropped tunnels and sleeping laptops. Like
// pty-client: it resumes from the next byte it expects (so nothing is lost or shown twice, or a
// gap is reported), numbers every input byte and resends what the daemon did not get (so each
// keystroke lands once), and pings to notice a dead link. Unlike pty-client it acknowledges only
// what xterm has drawn (ack()), so the daemon never runs more than one window ahead of the screen.
import { FrameType, OUTPUT_CHUNK_BYTES, type Attached, type Frame } from '../protocol/frame';
import { randomId } from './dom';
import { openLink, signedIn, type Link } from './link';
import { onComeBack, retryDelay } from './retry';

// Input kept for resending after a reconnect, as pty-client.
export const INPUT_KEEP_BYTES = 256 * 1024;
// Acknowledge after this much drawn output, or ACK_DELAY_MS after the last draw.
const ACK_EVERY_BYTES = 32 * 1024;
const ACK_DELAY_MS = 50;
// Ping this often; a link silent for three intervals is dead.
const HEARTBEAT_MS = 10_000;
// After a sleep, a hidden tab's throttled timers or the tab coming back, a link that does not
// answer a ping within this long is replaced at once.
const PROBE_MS = 5_000;

export type Status =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'live' }
  | { kind: 'waiting'; attempt: number; retryAt: number; reason: string; pendingInput: number }
  | { kind: 'ended'; message: string; exit: boolean };

export interface AttachEvents {
  screen(data: Uint8Array, offset: number): void; // clear and draw; call ack(offset) when drawn
  output(data: Uint8Array, end: number): void; // draw; call ack(end) when drawn
  gap(bytes: number, behind: boolean): void; // bytes skipped (behind: the page was too slow; else lost while away)
  size(cols: number, rows: number): void; // the session's size
  status(s: Status): void;
  attached(info: { clients: number; created: boolean }): void;
}

export interface AttachOptions {
  session: string;
  readOnly: boolean;
  create: boolean; // create the session (first attach only)
  keepSize(): boolean; // attach without resizing the session
  size(): { cols: number; rows: number };
}

export class AttachClient {
  private readonly clientId = randomId();
  private link: Link | null = null;
  private live = false;
  private stopped = false;
  private attempt = 0;
  private offset: number | null = null; // next output byte expected
  private drawn = 0; // output drawn up to here
  private ackSent = 0;
  private ackTimer: number | null = null;
  private retryTimer: number | null = null;
  private heartbeat: number | null = null;
  private lastHeard = 0;
  private pingId = 0;
  private inputKept = new Uint8Array(0); // input bytes [inputSent - kept.length, inputSent)
  private inputSent = 0;
  private inputWritten = 0; // input handed to a connection (the rest was typed while away)
  private pendingInput = 0; // typed while not attached
  private resuming = false; // reattached after a drop, nothing new drawn yet
  private reason = ''; // why the last link ended
  private retryAt = 0; // when the next attempt starts
  private readonly stopComeBack: () => void;

  constructor(
    private readonly o: AttachOptions,
    private readonly ev: AttachEvents,
  ) {
    this.stopComeBack = onComeBack(() => this.comeBack());
  }

  start(): void {
    this.connect();
  }

  // Keystrokes or a paste: numbered, kept, sent now or after the reconnect.
  input(data: Uint8Array): void {
    if (this.o.readOnly || data.length === 0 || this.stopped) return;
    const start = this.inputSent;
    this.inputSent += data.length;
    const kept = new Uint8Array(Math.min(INPUT_KEEP_BYTES, this.inputKept.length + data.length));
    const all = this.inputKept.length + data.length;
    const drop = all - kept.length; // oldest bytes that no longer fit
    if (drop < this.inputKept.length) kept.set(this.inputKept.subarray(drop), 0);
    kept.set(data.subarray(Math.max(0, drop - this.inputKept.length)), Math.max(0, this.inputKept.length - drop));
    this.inputKept = kept;
    if (this.live) this.sendInput(start, data);
    else {
      this.pendingInput += data.length;
      this.reportWaiting();
    }
  }

  // This page's size changed (or the person asked to fit the session to it).
  resize(cols: number, rows: number): void {
    if (this.live && !this.o.readOnly) this.link?.send({ type: FrameType.RESIZE, body: { cols, rows } });
  }

  // Output up to `offset` is on the screen.
  ack(offset: number): void {
    this.drawn = Math.max(this.drawn, offset);
    if (this.drawn - this.ackSent >= ACK_EVERY_BYTES) return this.sendAck();
    if (this.ackTimer === null) this.ackTimer = window.setTimeout(() => this.sendAck(), ACK_DELAY_MS);
  }

  // Leaves the session running.
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopComeBack();
    if (this.live) this.link?.send({ type: FrameType.DETACH });
    this.teardown();
  }

  // Reconnect now rather than when the backoff says (a "retry now" button).
  retryNow(): void {
    if (this.stopped || this.link !== null) return;
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private comeBack(): void {
    if (this.link === null) return this.retryNow();
    this.probe(this.link);
  }

  // Pings `link` and replaces it unless something comes back within PROBE_MS (a laptop that slept
  // may hold a connection that died meanwhile without a word).
  private probe(link: Link): void {
    const sent = Date.now();
    link.send({ type: FrameType.PING, body: { id: ++this.pingId } });
    window.setTimeout(() => {
      if (link === this.link && this.lastHeard < sent) {
        link.close();
        void this.onClosed(link, true, 'no answer after a pause');
      }
    }, PROBE_MS);
  }

  private connect(): void {
    this.live = false;
    this.lastHeard = Date.now();
    this.ev.status({ kind: 'connecting', attempt: this.attempt });
    const link = openLink({
      ready: () => this.sendAttach(link),
      frame: (f) => this.onFrame(link, f),
      closed: (opened, why) => void this.onClosed(link, opened, why),
    });
    this.link = link;
    let lastTick = Date.now();
    this.heartbeat = window.setInterval(() => {
      const now = Date.now();
      const late = now - lastTick > 2 * HEARTBEAT_MS; // throttled (a hidden tab) or asleep: cannot judge silence
      lastTick = now;
      if (late) return this.probe(link);
      if (now - this.lastHeard > 3 * HEARTBEAT_MS) return link.close(), void this.onClosed(link, true, 'no answer from the daemon');
      link.send({ type: FrameType.PING, body: { id: ++this.pingId } });
    }, HEARTBEAT_MS);
  }

  private sendAttach(link: Link): void {
    const { cols, rows } = this.o.size();
    const keepSize = this.o.keepSize();
    link.send({
      type: FrameType.ATTACH,
      body: { session: this.o.session, create: this.o.create && this.offset === null, resume: this.offset, cols, rows, readOnly: this.o.readOnly, clientId: this.clientId, inputFrom: this.inputSent - this.inputKept.length, keepSize, inputWritten: this.inputWritten },
    });
  }

  private onFrame(link: Link, f: Frame): void {
    if (link !== this.link) return;
    this.lastHeard = Date.now();
    switch (f.type) {
      case FrameType.ATTACHED:
        return this.onAttached(f.body);
      case FrameType.SCREEN:
        this.offset = f.offset;
        this.resuming = false;
        return this.ev.screen(f.data, f.offset);
      case FrameType.OUTPUT: {
        const expected = this.offset ?? f.offset;
        const end = f.offset + f.data.length;
        if (end <= expected) return; // already drawn
        this.offset = end;
        this.resuming = false;
        return this.ev.output(f.offset < expected ? f.data.subarray(expected - f.offset) : f.data, end);
      }
      case FrameType.GAP:
        // (The fresh screen that follows is acknowledged once drawn; that reopens the window.)
        this.offset = f.body.to;
        return this.ev.gap(f.body.to - f.body.from, !this.resuming);
      case FrameType.RESIZE:
        return this.ev.size(f.body.cols, f.body.rows);
      case FrameType.PING:
        return link.send({ type: FrameType.PONG, body: { id: f.body.id } });
      case FrameType.EXIT:
        return this.end(`the session's program ended (${f.body.signal !== 0 ? `signal ${f.body.signal}` : `status ${f.body.status}`})`, true);
      case FrameType.ERROR:
        // A restarting daemon says so; the page reconnects to the next one.
        if (f.body.code === 'PR_ERR_SHUTDOWN') return;
        return this.end(f.body.message, false);
      default:
        return;
    }
  }

  private onAttached(a: Attached): void {
    this.live = true;
    this.attempt = 0;
    this.resuming = this.offset !== null;
    if (this.offset !== null) this.offset = a.offset;
    if (a.cols !== undefined && a.rows !== undefined) this.ev.size(a.cols, a.rows);
    const inputAck = a.inputAck;
    // Resend what the daemon did not get, once; say so if some of it is no longer kept.
    const keptFrom = this.inputSent - this.inputKept.length;
    const from = Math.max(inputAck, keptFrom);
    for (let at = from; at < this.inputSent; at += OUTPUT_CHUNK_BYTES) {
      this.sendInput(at, this.inputKept.subarray(at - keptFrom, Math.min(this.inputSent, at + OUTPUT_CHUNK_BYTES) - keptFrom));
    }
    this.pendingInput = 0;
    this.ev.status({ kind: 'live' });
    this.ev.attached({ clients: a.clients ?? 1, created: a.created });
    if (this.drawn > this.ackSent) this.sendAck();
  }

  private sendInput(offset: number, data: Uint8Array): void {
    this.inputWritten = Math.max(this.inputWritten, offset + data.length);
    for (let i = 0; i < data.length; i += OUTPUT_CHUNK_BYTES) {
      this.link?.send({ type: FrameType.INPUT, offset: offset + i, data: data.subarray(i, i + OUTPUT_CHUNK_BYTES) });
    }
  }

  private sendAck(): void {
    if (this.ackTimer !== null) window.clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (!this.live || this.drawn <= this.ackSent) return;
    this.ackSent = this.drawn;
    this.link?.send({ type: FrameType.ACK, body: { offset: this.drawn } });
  }

  private async onClosed(link: Link, opened: boolean, why: string): Promise<void> {
    if (link !== this.link || this.stopped) return;
    this.teardown();
    this.attempt++;
    // A link that never opened may mean the cookie was revoked: then retrying cannot help.
    if (!opened && !(await signedIn())) return this.end('signed out: this browser needs a new link (on the server, run: pty-relay web)', false);
    if (this.stopped) return;
    const delay = retryDelay(this.attempt);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
    this.reason = why;
    this.retryAt = Date.now() + delay;
    this.reportWaiting();
  }

  private reportWaiting(): void {
    if (this.link !== null || this.stopped) return;
    this.ev.status({ kind: 'waiting', attempt: this.attempt, retryAt: this.retryAt, reason: this.reason, pendingInput: this.pendingInput });
  }

  private end(message: string, exit: boolean): void {
    this.stopped = true;
    this.stopComeBack();
    this.teardown();
    this.ev.status({ kind: 'ended', message, exit });
  }

  private teardown(): void {
    this.live = false;
    if (this.heartbeat !== null) window.clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.ackTimer !== null) window.clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const link = this.link;
    this.link = null;
    link?.close();
  }
}
