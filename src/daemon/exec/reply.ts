// The write side of one exec connection: output and relay lines to the socket, corked per
// event-loop turn, with what backpressure needs (is the socket congested, wait for drain).
import type * as net from 'node:net';
import { encodeNote } from '../../protocol/exec-text';

export class Reply {
  private lastByte = 0x0a; // the last byte written, to start relay lines on a fresh line
  private corked = false;
  private noteToken: string | null = null; // the client reads our own words apart (`#!notes`)
  closed = false; // our side is done: nothing more is written

  constructor(readonly socket: net.Socket) {}

  // Writes output; false when the socket's buffer is full (wait for drain before writing more).
  write(data: Buffer): boolean {
    if (this.closed || data.length === 0) return true;
    this.lastByte = data[data.length - 1] as number;
    return this.send(data);
  }

  // From now on the relay's own words go as note frames of `token` (protocol/exec-text.ts), first
  // an empty one that tells the client so.
  separateNotes(token: string): void {
    if (this.noteToken !== null) return;
    this.noteToken = token;
    this.send(encodeNote(token, Buffer.alloc(0)));
  }

  // The relay's own words that are not one notice line (a waiting line growing dots, a block of
  // output printed while no command ran): a note frame, or output for a plain client.
  note(data: Buffer): void {
    if (this.noteToken === null) this.write(data);
    else if (!this.closed && data.length > 0) this.send(encodeNote(this.noteToken, data));
  }

  private send(data: Buffer): boolean {
    if (!this.corked) {
      // PTY output arrives in ~2 kB reads; corking until the event loop moves on turns a burst of
      // them into one socket write instead of one system call each.
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    return this.socket.write(data);
  }

  // A relay line, "pty-relay: TEXT", on a line of its own so it never runs into the output.
  notice(text: string): void {
    this.note(Buffer.from(`${this.lastByte === 0x0a ? '' : '\n'}pty-relay: ${text}\n`));
  }

  // Writes what is corked now, then asks the kernel whether the client is still there: a write of
  // nothing fails (EPIPE) once the client's side has answered earlier bytes with a reset, which on
  // loopback it does within the write that provoked it (the client process is gone). A client that
  // is gone but whose reset has not come back yet (through a tunnel: one round trip) still counts
  // as there. Resolves false when the socket closed or the probe failed.
  reaches(): Promise<boolean> {
    const socket = this.socket;
    if (socket.destroyed) return Promise.resolve(false);
    if (this.corked) {
      this.corked = false;
      socket.uncork();
    }
    return new Promise((resolve) => socket.write(Buffer.alloc(0), (err) => resolve(err == null && !socket.destroyed)));
  }

  // True when the socket's buffer is full.
  get congested(): boolean {
    return this.socket.writableNeedDrain;
  }

  // Resolves when the socket drained or closed.
  drained(): Promise<void> {
    if (!this.congested || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}
