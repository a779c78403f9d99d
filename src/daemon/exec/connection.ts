// exec/ owns exec connections (shell text in, a reply out): this connection, when its request is
// complete (request.ts, bash-syntax.ts), running it (handle.ts: directives, queries.ts, a job of the
// session), and the reply: following a job (follow.ts, settle.ts), what it says about the job
// (job-reply.ts, hints.ts, request-notes.ts, idle-reply.ts, queued.ts, screen-window.ts) and the
// socket it is written to (reply.ts). It drives sessions (session/) and their jobs (jobs/).
//
// One exec connection, a small state machine: READING shell text until the request is complete
// (judgeRequest), RUNNING it (handle.ts), then back to READING when the client sent more text
// meanwhile (nothing a client sends is dropped), else CLOSING: the trailer, a FIN, and draining
// whatever the client still sends so that our last words are not destroyed by a reset.
import type * as net from 'node:net';
import { encodeTrailer, STATUS_RELAY_ERROR } from '../../protocol/exec-text';
import type { Registry } from '../session/registry';
import type { ConnInput } from '../conn/input';
import type { ConnContext } from '../conn/context';
import { handleRequest, type ExecConfig } from './handle';
import type { Outcome } from './job-reply';
import { Reply } from './reply';
import { Deliveries } from './delivery';
import { judgeRequest, type ExecOptions } from './request';
import { afterReads } from '../base/after-reads';

export type { ExecConfig } from './handle';

// How long a closed exec connection whose reply is all with the kernel keeps draining a client that
// has not closed its side.
const LINGER_MS = 2_000;

// Serves one exec connection whose first bytes were `first`.
export function serveExec(socket: net.Socket, input: ConnInput, first: Buffer, registry: Registry, config: ExecConfig, ctx: ConnContext): void {
  const { log } = ctx;
  const reply = new Reply(socket);
  const session = { authenticated: config.secret === null, inherited: null as ExecOptions | null, trailer: undefined as string | undefined };
  let state: 'reading' | 'running' | 'closing' = 'reading';
  let buf: Buffer = first;
  let reads = 1; // reads that made up `buf`
  let eof = false;
  let settle: NodeJS.Timeout | null = null;
  let deadline: NodeJS.Timeout | null = null; // the request in `buf` must be complete by then
  let final: Outcome = { status: 0, reason: 'exit', fields: {} };
  // Replies that wrote output: marked delivered once the client is known to be there, else lost.
  const deliveries = new Deliveries(reply);
  let requests = 0;

  input.on('data', (chunk: Buffer) => {
    if (state === 'closing') return; // draining after our close
    if (state === 'running' && buf.length === 0) log.debug({ evt: 'exec.pending', bytes: chunk.length }, 'the next request began while one runs');
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    reads++;
    if (state === 'reading') judge();
    // The next request already exceeds the limit: stop reading it; judge() reports it in its turn.
    else if (buf.length > config.maxRequestBytes) input.pause();
  });
  input.on('end', () => {
    eof = true;
    if (state === 'reading') judge();
  });
  ctx.onShutdown((reason) => {
    if (state !== 'reading') return; // a running job is told by its session
    reply.notice(`the daemon is shutting down (${reason})`);
    final = { status: STATUS_RELAY_ERROR, reason: 'error', fields: {} };
    close();
  });
  // The sessions move to a new daemon process (upgrade/) while this request is still incomplete
  // (running ones were told their job continues): it cannot run here any more, so say so.
  ctx.onHandover(() => {
    if (state !== 'reading') return;
    reply.notice('error: the daemon is being upgraded and this request was still incomplete; send it again');
    final = { status: STATUS_RELAY_ERROR, reason: 'error', fields: {} };
    close();
  });
  socket.on('close', () => {
    state = 'closing';
    reply.closed = true;
    clearSettle();
    clearDeadline();
  });
  judge();

  function judge(): void {
    clearSettle();
    if (state !== 'reading') return;
    const r = judgeRequest(buf, eof, config.maxRequestBytes, config.timing, reads, false);
    switch (r.kind) {
      case 'ready':
        return run();
      case 'empty':
        return close();
      case 'refuse':
        return refuse(r.reason, r.message);
      case 'wait':
        // The shell syntax is judged once the client is quiet, not at every read.
        if (r.ms !== Infinity) settle = setTimeout(() => afterQuiet(() => (r.syntax ? judgeSyntax(r.ms) : run())), r.ms);
        // Counted from the request's first byte and never restarted by later ones.
        if (deadline === null && buf.length > 0) deadline = setTimeout(expired, config.timing.deadlineMs);
    }
  }

  // After a quiet spell of `waited` ms: a complete request runs now, an incomplete one once the
  // client has been quiet for as long as an incomplete request waits.
  function judgeSyntax(waited: number): void {
    settle = null;
    const r = judgeRequest(buf, eof, config.maxRequestBytes, config.timing, reads);
    if (r.kind !== 'wait' || r.ms <= waited) return run();
    settle = setTimeout(() => afterQuiet(run), r.ms - waited);
  }

  // A quiet spell ended: `then`, unless the client was not quiet after all: bytes it sent in time
  // may wait unread after the loop was held (base/after-reads.ts), and restart the wait once read.
  // A quiet spell the input meter makes (it holds the next bytes back) is not the client's either.
  function afterQuiet(then: () => void): void {
    const seen = reads;
    afterReads(() => state === 'reading' && reads === seen && !eof && input.holding !== true, then);
  }

  function expired(): void {
    deadline = null;
    if (state !== 'reading') return;
    const s = config.timing.deadlineMs / 1000;
    refuse('deadline', `the request was still incomplete ${s} s after its first byte; a request must arrive whole within ${s} s`);
  }

  function refuse(reason: string, message: string): void {
    log.warn({ evt: 'exec.refused', reason, bytes: buf.length }, message);
    buf = Buffer.alloc(0);
    reply.notice(`error: ${message}`);
    final = { status: STATUS_RELAY_ERROR, reason: 'error', fields: {} };
    close();
  }

  function clearSettle(): void {
    if (settle !== null) clearTimeout(settle);
    settle = null;
  }

  function clearDeadline(): void {
    if (deadline !== null) clearTimeout(deadline);
    deadline = null;
  }

  function run(): void {
    clearSettle();
    clearDeadline();
    state = 'running';
    const text = buf.toString('utf8');
    buf = Buffer.alloc(0);
    reads = 0;
    requests++;
    handleRequest(text, { reply, registry, config, log, conn: session })
      .catch((err: unknown) => {
        log.error({ evt: 'exec.failed', err }, 'exec request failed');
        reply.notice(`error: ${(err as Error).message}`);
        return { status: STATUS_RELAY_ERROR, reason: 'error', fields: {} } as Outcome;
      })
      .then((outcome) => {
        final = outcome;
        // Delivered or not is judged as the connection closes (delivery.ts).
        deliveries.ended(outcome);
        if (state === 'closing') return;
        state = 'reading';
        input.resume();
        if (buf.length > 0) return judge();
        // A client that sends no EOF gets its reply closed as soon as nothing more is pending. The
        // event that ended the request (PTY output) and text the client sent before it (its socket)
        // can be ready in the same turn of the event loop, in either order: let that turn's reads
        // land before deciding that nothing more is pending.
        setImmediate(() => {
          if (state === 'reading' && buf.length === 0) close();
        });
      });
  }

  function close(): void {
    clearSettle();
    clearDeadline();
    if (state === 'closing') return;
    state = 'closing';
    const trailer = session.trailer;
    if (trailer !== undefined) socket.write(encodeTrailer(trailer, final.status, final.reason, final.fields));
    // The output counts as delivered only if the client is still there to read it: a killed
    // client's reset to these last bytes makes the probe fail (Reply.reaches).
    deliveries.close();
    reply.closed = true;
    if (eof) socket.end(() => socket.destroy());
    else {
      // The client may still be sending (a refused flood): keep reading and discarding, so the
      // close is a FIN, not a reset that could destroy our last words in flight.
      // Destroyed only once our side has finished (every byte of the reply is with the kernel,
      // which sends it on after the close): a destroy before that drops what still waits in this
      // process, as it did for a 10 MB reply whose client sent its EOF (nc -N) just after the
      // request had run, or read slower than LINGER_MS.
      input.on('data', () => undefined);
      input.resume();
      let theirsEnded = false;
      input.on('end', () => {
        theirsEnded = true;
        if (socket.writableFinished) socket.destroy();
      });
      socket.end(() => {
        if (theirsEnded) socket.destroy();
        else setTimeout(() => socket.destroy(), LINGER_MS).unref();
      });
    }
    if (!socket.writableFinished) watchStall();
    log.debug({ evt: 'exec.closed', requests }, 'exec connection closed');
  }

  // After our close, a reply whose bytes stop leaving this process for timing.replyStallMs (the
  // kernel's buffer stays full: the client reads nothing) is dropped; the delivery probe then
  // fails and the output counts as lost (the next reply that sends it says it repeats it).
  function watchStall(): void {
    const stallMs = config.timing.replyStallMs;
    let left = unsent();
    let since = Date.now();
    const timer = setInterval(() => {
      if (unsent() !== left || socket.writableFinished) {
        left = unsent();
        since = Date.now();
        return;
      }
      if (Date.now() - since < stallMs) return;
      // Judged after this turn's reads, which may have sent bytes on (base/after-reads.ts).
      afterReads(
        () => unsent() === left && !socket.destroyed,
        () => {
          log.info({ evt: 'exec.stalled', unsent: left, ms: stallMs }, `the client read nothing of its reply for ${stallMs / 1000} s; connection dropped`);
          socket.destroy();
        },
      );
    }, Math.max(10, Math.round(stallMs / 10)));
    timer.unref();
    socket.once('finish', () => clearInterval(timer));
    socket.once('close', () => clearInterval(timer));
  }

  // Bytes of the reply not yet with the kernel: the stream's queue, and what libuv holds of a write
  // under way (one write can be megabytes: the stream's count moves only when all of it went).
  function unsent(): number {
    const handle = (socket as unknown as { _handle?: { writeQueueSize?: number } | null })._handle;
    return socket.writableLength + (handle?.writeQueueSize ?? 0);
  }
}
