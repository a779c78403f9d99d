// The attach client's connection layer: it survives a dropped tunnel by reconnecting with backoff
// and resumes output from the last offset it received, so nothing is lost or repeated.
//
// Keystrokes: every byte typed gets an offset in this client's input stream. The client keeps the
// last INPUT_KEEP_BYTES it typed; after a reconnect the daemon says how far it got and the client
// resends the rest, and the daemon skips any byte it already had. So input typed while
// disconnected, or lost in flight with the old connection, is delivered exactly once.
import * as crypto from 'node:crypto';
import { backoffDelay, RECONNECT_BACKOFF } from '../backoff';
import { RelayError } from '../errors';
import { FrameType, type Frame } from '../protocol/frame';
import type { Endpoint } from './endpoint';
import { replyError } from './explain';
import { openLink, type Link } from './link';
import type { ReconnectStatus } from './status-line';

export const INPUT_KEEP_BYTES = 256 * 1024;
// Send an ACK after this much output, so the daemon's window keeps moving.
const ACK_EVERY_BYTES = 64 * 1024;

export interface ConnectionOptions {
  endpoint: Endpoint;
  secret: string | null;
  session: string;
  readOnly: boolean;
  heartbeatMs: number; // ping interval; the link counts as dead after 3 intervals of silence
  maxAttempts: number; // reconnect attempts before giving up (Infinity: never)
  size(): { cols: number; rows: number };
  output(data: Uint8Array): void; // bytes for the terminal
  screen(data: Uint8Array): void; // a full redraw for the terminal
  // The visible rows drawn again in place (cursor untouched), after a reconnect: what the status
  // covered while the link was down, and the rows it was cleared from, however output moved them.
  repaint(data: Uint8Array): void;
  status(s: ReconnectStatus | null): void; // the reconnecting status, or null to clear it
}

export type Ending =
  | { kind: 'exit'; status: number; signal: number }
  | { kind: 'detached' }
  | { kind: 'gave-up'; attempts: number; reason: string }
  | { kind: 'error'; code: string; message: string };

export class AttachConnection {
  private readonly clientId = crypto.randomBytes(12).toString('hex');
  private offset: number | null = null; // next output byte expected
  private acked = 0;
  private link: Link | null = null;
  private attached = false;
  private ending: Ending | null = null;
  private attempt = 0;
  private lastHeard = 0;
  private pingId = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private inputKept: Buffer = Buffer.alloc(0); // input bytes [inputSent - kept.length, inputSent)
  private inputSent = 0;
  private inputWritten = 0; // input handed to a connection (the rest was typed while away)
  private typedOffline = 0; // input typed since the link was lost
  private closeReason: string | null = null; // what the daemon said before closing (its shutdown)
  private lost: { why: string; reason: string } | null = null; // the failure that started the retries
  private retrying: { delay: number; last: string } | null = null; // the retry waiting, after `last` failed
  private resolve: (e: Ending) => void = () => undefined;

  constructor(private readonly o: ConnectionOptions) {}

  // Connects and runs until the session exits, the user detaches, or reconnecting gives up.
  run(): Promise<Ending> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.connect();
    });
  }

  input(data: Buffer): void {
    if (this.o.readOnly || data.length === 0) return;
    const start = this.inputSent;
    this.inputSent += data.length;
    const kept = Buffer.concat([this.inputKept, data]);
    this.inputKept = kept.length > INPUT_KEEP_BYTES ? Buffer.from(kept.subarray(kept.length - INPUT_KEEP_BYTES)) : kept;
    if (this.attached) {
      this.link?.send({ type: FrameType.INPUT, offset: start, data });
      this.inputWritten = this.inputSent;
    } else {
      this.typedOffline += data.length;
      this.showStatus();
    }
  }

  resize(): void {
    if (this.attached && !this.o.readOnly) this.link?.send({ type: FrameType.RESIZE, body: this.o.size() });
  }

  detach(): void {
    if (this.attached) this.link?.send({ type: FrameType.DETACH });
    this.finish({ kind: 'detached' });
  }

  private connect(): void {
    this.attached = false;
    this.lastHeard = Date.now();
    const link = openLink(this.o.endpoint, this.o.secret, {
      onFrame: (f) => this.onFrame(link, f),
      onClose: (err, final) => this.onClose(link, err, final),
    });
    this.link = link;
    this.startHeartbeat(link);
  }

  private onFrame(link: Link, f: Frame): void {
    if (link !== this.link) return;
    this.lastHeard = Date.now();
    switch (f.type) {
      case FrameType.HELLO: {
        const { cols, rows } = this.o.size();
        link.send({
          type: FrameType.ATTACH,
          // `repaint`: the status drew over the screen while the link was down.
          body: { session: this.o.session, create: true, resume: this.offset, cols, rows, readOnly: this.o.readOnly, clientId: this.clientId, inputFrom: this.inputSent - this.inputKept.length, repaint: this.lost !== null && this.offset !== null, inputWritten: this.inputWritten },
        });
        return;
      }
      case FrameType.ATTACHED:
        return this.onAttached(link, f.body.offset, f.body.inputAck);
      case FrameType.SCREEN:
        this.offset = f.offset;
        this.acked = f.offset;
        this.o.screen(f.data);
        return;
      case FrameType.OUTPUT:
        return this.onOutput(link, f.offset, f.data);
      case FrameType.REPAINT:
        if (f.offset === this.offset) this.o.repaint(f.data);
        return;
      case FrameType.GAP:
        this.o.status(null);
        this.o.output(Buffer.from(`\r\n[pty-client: ${f.body.to - f.body.from} bytes of output were lost: they left the daemon's buffer]\r\n`));
        this.offset = f.body.to;
        return;
      case FrameType.PING:
        link.send({ type: FrameType.PONG, body: { id: f.body.id } });
        return;
      case FrameType.EXIT:
        return this.finish({ kind: 'exit', status: f.body.status, signal: f.body.signal });
      case FrameType.ERROR:
        // A daemon that stops lets go of the sessions or ends them (then EXIT came first): either
        // way the next daemon, or this one back, is what to wait for, as after a crash.
        if (f.body.code === 'PR_ERR_SHUTDOWN') return void (this.closeReason = f.body.message);
        return this.finish({ kind: 'error', code: f.body.code, message: replyError({ ok: false, ...f.body }, this.o.secret !== null).message });
      default:
        return;
    }
  }

  private onAttached(link: Link, offset: number, inputAck: number): void {
    this.attached = true;
    if (this.offset !== null) this.offset = offset;
    if (this.lost !== null) this.o.status(null);
    this.lost = this.retrying = null;
    this.attempt = 0;
    this.typedOffline = 0;
    // Resend what the daemon did not get; say so if some of it is no longer kept.
    const keptFrom = this.inputSent - this.inputKept.length;
    if (inputAck < keptFrom) {
      this.o.output(Buffer.from(`\r\n[pty-client: ${keptFrom - inputAck} bytes of earlier input were lost]\r\n`));
    }
    const from = Math.max(inputAck, keptFrom);
    if (from < this.inputSent) {
      link.send({ type: FrameType.INPUT, offset: from, data: this.inputKept.subarray(from - keptFrom) });
    }
    this.inputWritten = this.inputSent;
    if (!this.o.readOnly) link.send({ type: FrameType.RESIZE, body: this.o.size() });
  }

  private onOutput(link: Link, offset: number, data: Uint8Array): void {
    const expected = this.offset ?? offset;
    const end = offset + data.length;
    if (end <= expected) return; // already seen
    this.o.output(offset < expected ? data.subarray(expected - offset) : data);
    this.offset = end;
    if (end - this.acked >= ACK_EVERY_BYTES) {
      this.acked = end;
      link.send({ type: FrameType.ACK, body: { offset: end } });
    }
  }

  private startHeartbeat(link: Link): void {
    this.stopHeartbeat();
    let judging = false;
    this.heartbeat = setInterval(() => {
      if (link !== this.link) return;
      if (this.silentFor() > 3 * this.o.heartbeatMs) {
        // Judged once this turn's reads are done: Node runs due timers before it reads sockets, so
        // after this process was held up the daemon's replies may wait unread (as in the daemon's
        // base/after-reads.ts). A dead tunnel: the close handler reconnects.
        if (!judging) {
          judging = true;
          setImmediate(() => {
            judging = false;
            if (link === this.link && this.silentFor() > 3 * this.o.heartbeatMs) link.destroy();
          });
        }
        return;
      }
      link.send({ type: FrameType.PING, body: { id: ++this.pingId } });
      // Keep the window open even when output trickles below ACK_EVERY_BYTES.
      if (this.offset !== null && this.offset > this.acked) {
        this.acked = this.offset;
        link.send({ type: FrameType.ACK, body: { offset: this.offset } });
      }
    }, this.o.heartbeatMs);
  }

  private silentFor(): number {
    return Date.now() - this.lastHeard;
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private onClose(link: Link, err: Error | null, final: boolean): void {
    if (link !== this.link || this.ending !== null) return;
    this.stopHeartbeat();
    this.attached = false;
    this.link = null;
    // The daemon refused us for good (another user's daemon): retrying cannot help.
    if (final && err !== null) return this.finish({ kind: 'error', code: err instanceof RelayError ? err.code : 'PR_ERR_CONNECT', message: err.message });
    this.attempt++;
    const reason = err?.message ?? this.closeReason ?? 'connection closed';
    this.closeReason = null;
    // The first failure is why the client reconnects; later ones only say why a retry failed.
    this.lost ??= { why: `${this.offset === null ? 'cannot connect' : 'connection lost'}: ${reason}`, reason };
    if (this.attempt > this.o.maxAttempts) {
      const last = reason === this.lost.reason ? '' : `; last try: ${reason}`;
      return this.finish({ kind: 'gave-up', attempts: this.attempt - 1, reason: `${this.lost.reason}${last}` });
    }
    const delay = backoffDelay(RECONNECT_BACKOFF, this.attempt);
    this.retrying = { delay, last: reason };
    this.showStatus();
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.ending === null) this.connect();
    }, delay);
  }

  // Shows why the client reconnects, the retry waiting, and the input typed meanwhile.
  private showStatus(): void {
    const waiting = this.typedOffline > 0 ? `; ${this.typedOffline} bytes of input waiting` : '';
    if (this.lost === null || this.retrying === null) return this.o.status({ why: 'not connected', now: `${this.typedOffline} bytes of input will be sent once connected`, last: null });
    const { delay, last } = this.retrying;
    const now = `retrying in ${(delay / 1000).toFixed(1)} s (attempt ${this.attempt})${waiting}`;
    this.o.status({ why: this.lost.why, now, last: last === this.lost.reason ? null : last });
  }

  private finish(e: Ending): void {
    if (this.ending !== null) return;
    this.ending = e;
    this.stopHeartbeat();
    if (this.retry !== null) clearTimeout(this.retry);
    const link = this.link;
    this.link = null;
    link?.close();
    this.resolve(e);
  }
}
