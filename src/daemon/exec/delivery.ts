// Which replies reached their client. A reply that carried a job's output counts as delivered (its
// output is not handed out again) only once the kernel says the client is still there; else as
// lost, and the next reply that sends that output again says it repeats it (job-reply.ts).
//
// The verdict is the kernel's, never the order of events: a client that closed its side (nc -N
// does so as soon as its request is sent; on a loaded machine that EOF can come after the reply
// began) still reads to the end, while one that left altogether answers the reply's next bytes
// with a reset, which on loopback comes back within the write and fails the probe (Reply.reaches)
// or errors the socket. A client that left after reading every byte written has them all.
import type { Outcome } from './job-reply';
import type { Reply } from './reply';

export class Deliveries {
  private readonly pending: Outcome[] = [];

  constructor(private readonly reply: Reply) {
    // A reset (the client is gone): nothing pending reached it surely.
    reply.socket.on('error', () => this.judge(false));
  }

  // A request's reply ended with `outcome`; it is judged when the connection closes.
  ended(outcome: Outcome): void {
    if (outcome.commit !== undefined || outcome.lost !== undefined) this.pending.push(outcome);
  }

  // Our side is done (its last words are written): asks the kernel whether the client is there.
  close(): void {
    if (this.pending.length === 0) return;
    void this.reply.reaches().then((there) => this.judge(there));
  }

  private judge(there: boolean): void {
    for (const o of this.pending.splice(0)) (there ? o.commit : o.lost)?.();
  }
}
