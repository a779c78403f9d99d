// One exec connection: read shell text until the request is complete, run it in its session,
// stream the output back, report how it ended, and close. Text that arrives while a request runs
// is the next request on the same connection, so nothing a client sends is dropped.
import type * as net from 'node:net';
import { RelayError } from '../../errors';
import { encodeTrailer, STATUS_RELAY_ERROR, STATUS_TIMEOUT, type EndReason } from '../../protocol/exec-text';
import { DEFAULT_SESSION } from '../../protocol/session-name';
import type { Registry } from '../session/registry';
import { judgeRequest, parseRequest, type ExecOptions, type RequestTiming } from './request';
import type { ConnInput } from '../server/input';
import { secretMatches } from '../server/security';
import type { ConnContext } from '../server/server';
import type { BusyInfo, ExecJob, JobEnd } from './exec-job';
import type { Session } from '../session/session';

export interface ExecConfig {
  timing: RequestTiming;
  maxRequestBytes: number;
  defaultTimeoutMs: number; // 0: none
  connectHint: string; // how a user reaches this daemon, for "interrupt it with …" hints
  secret: string | null; // when set, requests must start with `#!auth SECRET`
  logCommands: boolean; // put command text in the audit log (off by default: it may hold secrets)
}

// How long a closed exec connection keeps draining a client that has not closed its side.
const LINGER_MS = 2_000;

interface Outcome {
  status: number;
  reason: EndReason;
}

// Serves one exec connection whose first bytes were `first`.
export function serveExec(socket: net.Socket, input: ConnInput, first: Buffer, registry: Registry, config: ExecConfig, ctx: ConnContext): void {
  const { log } = ctx;
  let authenticated = config.secret === null;
  let buf: Buffer = first;
  let eof = false;
  let busy = false; // a request is being run
  let closed = false;
  let lastByte = 0x0a; // the last byte written, to start notices on a fresh line
  let inherited: ExecOptions | null = null;
  let settle: NodeJS.Timeout | null = null;
  let onClientGone: (() => void) | null = null;
  let final: Outcome = { status: 0, reason: 'exit' };
  let requests = 0;
  // PTY output arrives in ~2 kB reads; corking until the event loop moves on turns a burst of
  // them into one socket write instead of one system call each.
  let corked = false;

  input.on('data', (chunk: Buffer) => {
    if (closed) return; // draining after our close
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (!busy) judge();
    else if (buf.length > config.maxRequestBytes) refuseLater();
  });
  input.on('end', () => {
    eof = true;
    if (!busy) judge();
  });
  ctx.onShutdown((reason) => {
    if (busy) return; // the running job is told by its session
    notice(`the daemon is shutting down (${reason})`);
    final = { status: STATUS_RELAY_ERROR, reason: 'error' };
    done();
  });
  socket.on('close', () => {
    closed = true;
    clearSettle();
    onClientGone?.();
  });
  judge();

  function judge(): void {
    clearSettle();
    if (closed) return;
    const r = judgeRequest(buf, eof, config.maxRequestBytes, config.timing);
    switch (r.kind) {
      case 'ready':
        return run();
      case 'empty':
        return done();
      case 'refuse':
        log.warn({ evt: 'exec.refused', reason: r.reason, bytes: buf.length }, r.message);
        buf = Buffer.alloc(0);
        notice(`error: ${r.message}`);
        final = { status: STATUS_RELAY_ERROR, reason: 'error' };
        return done();
      case 'wait':
        if (r.ms !== Infinity) settle = setTimeout(run, r.ms);
    }
  }

  function refuseLater(): void {
    // The next request already exceeds the limit: stop reading it; judge() reports it when its turn comes.
    input.pause();
  }

  function clearSettle(): void {
    if (settle !== null) clearTimeout(settle);
    settle = null;
  }

  function run(): void {
    clearSettle();
    busy = true;
    const text = buf.toString('utf8');
    buf = Buffer.alloc(0);
    requests++;
    const parsed = parseRequest(text);
    if (!parsed.ok) {
      log.warn({ evt: 'exec.bad_directive' }, parsed.message);
      notice(`error: ${parsed.message}`);
      return end({ status: STATUS_RELAY_ERROR, reason: 'error' });
    }
    const opts = inherit(parsed.options);
    inherited = opts;
    if (!authenticated) {
      if (opts.auth === undefined || config.secret === null || !secretMatches(opts.auth, config.secret)) {
        log.warn({ evt: 'exec.auth_failed', presented: opts.auth !== undefined }, 'authentication failed');
        notice(`error: authentication ${opts.auth === undefined ? 'required: start the request with a #!auth SECRET line' : 'failed'}`);
        return end({ status: STATUS_RELAY_ERROR, reason: 'error' });
      }
      authenticated = true;
    }
    let session: Session;
    try {
      session = registry.get(opts.session ?? DEFAULT_SESSION);
    } catch (err) {
      if (!(err instanceof RelayError)) throw err;
      notice(`error: ${err.message}`);
      return end({ status: STATUS_RELAY_ERROR, reason: 'error' });
    }
    if (session.isCommand && parsed.script.trim() !== '') {
      notice(`error: session "${session.name}" runs \`${session.command}\`, not a shell; exec requests need a shell session`);
      return end({ status: STATUS_RELAY_ERROR, reason: 'error' });
    }
    if (opts.interrupt) {
      const what = session.interrupt();
      notice(what === null ? `nothing to interrupt in session "${session.name}"` : `interrupted ${describe(what)} in session "${session.name}"`);
    }
    if (opts.status) write(Buffer.from(statusText(session)));
    if (parsed.script.trim() === '') return end({ status: 0, reason: 'exit' });
    const busyWith = session.busy();
    if (opts.nowait && busyWith !== null) {
      notice(busyMessage(session, busyWith));
      return end({ status: STATUS_RELAY_ERROR, reason: 'busy' });
    }
    submit(session, parsed.script, opts);
  }

  function submit(session: Session, script: string, opts: ExecOptions): void {
    const started = Date.now();
    let running = false;
    let finished = false;
    const timeoutMs = opts.timeoutMs ?? config.defaultTimeoutMs;
    const job: ExecJob = {
      script,
      onStart(previous) {
        running = true;
        if (previous !== null) notice(previous);
      },
      onOutput(data) {
        return write(data);
      },
      onEnd(e: JobEnd) {
        if (finished) return;
        finished = true;
        cleanup();
        log.info(
          { evt: 'exec.done', session: session.name, kind: e.kind, status: 'status' in e ? e.status : undefined, bytes: script.length, ms: Date.now() - started, ...(config.logCommands ? { command: script } : {}) },
          'exec done',
        );
        if (e.kind === 'exit') {
          if (e.status !== 0 && opts.trailer === undefined) notice(`exit status ${e.status}`);
          return end({ status: e.status, reason: 'exit' });
        }
        notice(e.message);
        end(e.kind === 'shell-exit' ? { status: e.status, reason: 'shell-exit' } : { status: STATUS_RELAY_ERROR, reason: 'error' });
      },
    };
    const timer = timeoutMs > 0 ? setTimeout(onTimeout, timeoutMs) : null;
    const drain = (): void => session.resumeOutput(job);
    socket.on('drain', drain);
    onClientGone = () => {
      if (finished) return;
      finished = true;
      cleanup();
      if (session.cancel(job)) log.info({ evt: 'exec.abandoned' }, 'client left before its request started; dropped');
      else {
        session.detach(job);
        log.info({ evt: 'exec.client_gone' }, 'client left; the command keeps running');
      }
    };
    function cleanup(): void {
      if (timer !== null) clearTimeout(timer);
      socket.off('drain', drain);
      onClientGone = null;
    }
    function onTimeout(): void {
      if (finished) return;
      finished = true;
      cleanup();
      const secs = `${timeoutMs / 1000} s`;
      if (session.cancel(job)) {
        const b = session.busy();
        notice(`timed out after ${secs} waiting for session "${session.name}"${b ? `, ${busyMessage(session, b)}` : ''}; the request was not run`);
      } else {
        session.detach(job);
        notice(`timed out after ${secs}; the command is still running in session "${session.name}" and was not stopped. ${interruptHint(session)}`);
      }
      log.info({ evt: 'exec.timeout', ms: timeoutMs, started: running }, 'exec timed out');
      end({ status: STATUS_TIMEOUT, reason: 'timeout' });
    }
    log.debug({ evt: 'exec.submit', bytes: script.length, queued: session.queued() }, 'exec submitted');
    session.submit(job);
  }

  function inherit(o: ExecOptions): ExecOptions {
    if (inherited === null) return o;
    return {
      ...o,
      session: o.session ?? inherited.session,
      timeoutMs: o.timeoutMs ?? inherited.timeoutMs,
      trailer: o.trailer ?? inherited.trailer,
      auth: o.auth ?? inherited.auth,
      nowait: o.nowait || inherited.nowait,
    };
  }

  // One request finished: run the next one if the client sent more, else close.
  function end(outcome: Outcome): void {
    final = outcome;
    busy = false;
    input.resume();
    if (closed) return;
    // A client that sends no EOF gets its reply closed as soon as nothing more is pending.
    if (buf.length > 0) return judge();
    done();
  }

  function done(): void {
    clearSettle();
    if (closed) return;
    closed = true;
    const trailer = inherited?.trailer;
    if (trailer !== undefined) socket.write(encodeTrailer(trailer, final.status, final.reason));
    if (eof) socket.end(() => socket.destroy());
    else {
      // The client may still be sending (a refused flood): keep reading and discarding, so the
      // close is a FIN, not a reset that could destroy our last words in flight.
      input.on('data', () => undefined);
      input.resume();
      socket.end();
      input.on('end', () => socket.destroy());
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    }
    log.debug({ evt: 'exec.closed', requests }, 'exec connection closed');
  }

  function write(data: Buffer): boolean {
    if (closed || data.length === 0) return true;
    lastByte = data[data.length - 1] as number;
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return socket.write(data);
  }

  // A relay message on its own line, so it never runs into the command's output.
  function notice(text: string): void {
    write(Buffer.from(`${lastByte === 0x0a ? '' : '\n'}pty-relay: ${text}\n`));
  }

  function interruptHint(session: Session): string {
    const sess = session.name === DEFAULT_SESSION ? '' : `#!session ${session.name}\\n`;
    return `Interrupt it with: printf '${sess}#!interrupt\\n' | ${config.connectHint}`;
  }

  function busyMessage(session: Session, b: BusyInfo): string {
    return `session "${session.name}" is busy running ${describe(b)}. ${interruptHint(session)}`;
  }
}

function describe(b: BusyInfo): string {
  return `\`${b.what}\` since ${b.since.toISOString()} (${Math.round((Date.now() - b.since.getTime()) / 1000)} s)`;
}

function statusText(session: Session): string {
  const i = session.info();
  const lines = [
    `session: ${i.name}`,
    `state: ${i.state}`,
    `pid: ${i.pid ?? '-'}`,
    `cwd: ${i.cwd ?? '-'}`,
    `running: ${i.busy === null ? '-' : describe(i.busy)}`,
    `queued: ${i.queued}`,
  ];
  return `${lines.join('\n')}\n`;
}
