// One exec request, from its text to its outcome: directives first (`#!auth`; `#!sessions` and
// `#!end`, which start no session; `#!session`, `#!sandbox`, `#!interrupt`, `#!kill`, `#!status`),
// then a question about a job (`#!wait`, `#!jobs`, `#!send`, `#!screen`, `#!output`) or a
// command, which becomes a job of the session.
import { RelayError } from '../../errors';
import type { Logger } from '../../log';
import { DIRECTIVE_RE, STATUS_RELAY_ERROR, TRAILER_TOKEN_RE, type TrailerFields } from '../../protocol/exec-text';
import { DEFAULT_SESSION } from '../../protocol/session-name';
import { decodeSendText } from '../jobs/send-text';
import type { Job } from '../jobs/job';
import type { Registry } from '../session/registry';
import type { BusyInfo, Session } from '../session/session';
import { secretMatches } from '../conn/secret';
import { busyDoing, describeBusy, jobHandles, nearName, sessionNote } from './hints';
import { alreadyEnded, DEFAULT_BOUND_NOTE, relayError, replyToJob, REPLY_BYTES, type JobReplyContext, type Outcome } from './job-reply';
import { tellIdle, withIdle } from './idle-reply';
import { jobsText, killReply, outputReply, screenReply, statusText } from './queries';
import { emptyStdin, optionsPutBack, ranQuietly, strayDirectives } from './request-notes';
import type { Reply } from './reply';
import { waitInLine } from './queued';
import { programRequest } from './program-reply';
import { endReply, sessionsReply } from './sessions-reply';
import { waitedFor } from './waited-for';
import { typeAheadRefusal } from './type-ahead';
import { parseRequest, type RequestTiming, type ExecOptions, type Query } from './request';

export interface ExecConfig {
  timing: RequestTiming;
  maxRequestBytes: number;
  defaultTimeoutMs: number; // 0: none
  secret: string | null; // when set, requests must start with `#!auth SECRET`
  logCommands: boolean; // put command text in the audit log (off by default: it may hold secrets)
}

// What a request needs besides its text; `conn` is state shared by the connection's requests.
export interface RequestContext {
  reply: Reply;
  registry: Registry;
  config: ExecConfig;
  log: Logger;
  conn: { authenticated: boolean; inherited: ExecOptions | null; trailer: string | undefined };
}

// Runs one request and resolves with how it ended.
export async function handleRequest(text: string, c: RequestContext): Promise<Outcome> {
  const { reply, log, config } = c;
  const error = (message: string): Outcome => relayError(reply, message);
  const parsed = parseRequest(text);
  // A client that asked for a trailer (and its notes apart) gets one even when another directive
  // line is wrong.
  c.conn.trailer = (parsed.ok ? parsed.options.trailer : findTrailer(text)) ?? c.conn.trailer;
  if (c.conn.trailer !== undefined && (parsed.ok ? parsed.options.notes : /^#!notes[ \t]*\r?$/m.test(leadingDirectives(text)))) reply.separateNotes(c.conn.trailer);
  if (!parsed.ok) {
    log.warn({ evt: 'exec.bad_directive' }, parsed.message);
    return error(parsed.message);
  }
  if (parsed.options.notes && c.conn.trailer === undefined) return error('#!notes needs #!trailer TOKEN (the notes come as frames of its token)');
  const opts = inherit(c.conn.inherited, parsed.options);
  c.conn.inherited = opts;
  if (!c.conn.authenticated) {
    if (opts.auth === undefined || config.secret === null || !secretMatches(opts.auth, config.secret)) {
      log.warn({ evt: 'exec.auth_failed', presented: opts.auth !== undefined }, 'authentication failed');
      return error(`authentication ${opts.auth === undefined ? 'required: start the request with a #!auth SECRET line' : 'failed'}`);
    }
    c.conn.authenticated = true;
  }
  if (opts.query?.kind === 'sessions') return sessionsReply(reply, c.registry);
  if (opts.query?.kind === 'end') return endReply(reply, c.registry, opts.session ?? DEFAULT_SESSION, log);
  let session: Session;
  try {
    const name = opts.session ?? DEFAULT_SESSION;
    if (opts.nocreate && c.registry.find(name) === undefined) return error(noSession(name, c.registry.list().map((s) => s.name)));
    const others = c.registry.find(name) === undefined ? c.registry.list().map((s) => s.name) : null;
    // An existing session is only checked against a #!sandbox asked for; a new one is made in it.
    session = c.registry.get(name, opts.sandbox);
    // A new session whose name is one typo away from an existing one is most likely a typo.
    const near = others === null ? null : nearName(name, others);
    if (near !== null) reply.notice(`new session "${name}" started; did you mean "${near}"? (sessions: ${others?.join(', ')})`);
  } catch (err) {
    if (!(err instanceof RelayError)) throw err;
    return error(err.message);
  }
  const script = parsed.script;
  // A program session (no shell, no jobs): #!screen and #!send work, the rest says what does.
  if (session.isCommand && (script.trim() !== '' || opts.query !== undefined || opts.kill !== undefined)) {
    const kind = opts.kill !== undefined ? 'kill' : (opts.query?.kind ?? 'command');
    return programRequest({ reply, session, timeoutMs: opts.timeoutMs ?? config.defaultTimeoutMs }, kind, opts.query?.kind === 'send' ? opts.query.text : '');
  }
  const jc: JobReplyContext = { reply, session, trailer: opts.trailer !== undefined, log };
  const timeoutMs = opts.timeoutMs ?? config.defaultTimeoutMs;
  // A plain reply (nc) is bounded. Every reply but a raw one says what would otherwise pass in
  // silence (request-notes.ts): a trailer's client (the MCP server, pty-relay exec) words or shows it.
  const plain = !jc.trailer && !opts.raw;
  const says = !opts.raw;
  let outcome: Outcome = { status: 0, reason: 'exit', fields: {} };
  if (opts.interrupt) {
    const what = session.interrupt();
    reply.notice(what === null ? `nothing to interrupt in session "${session.name}"` : `interrupted ${describeBusy(what)} in session "${session.name}"`);
  }
  if (opts.kill !== undefined) {
    const owed = { limit: opts.limit === 0 ? Number.MAX_SAFE_INTEGER : (opts.limit ?? REPLY_BYTES), more: opts.limit === undefined ? DEFAULT_BOUND_NOTE : '' };
    outcome = await killReply(reply, session, opts.kill.job, jc.trailer ? null : owed);
    if (outcome.reason === 'error') return outcome;
  }
  if (opts.status) reply.write(Buffer.from(statusText(session)));
  // Output printed while no job ran comes first in a reply about a command or a job (idle-reply.ts).
  const kind = opts.query?.kind ?? (script.trim() === '' ? null : 'command');
  const idle = kind === 'command' || kind === 'wait' || kind === 'send' ? tellIdle(reply, session) : null;
  if (opts.query !== undefined) return withIdle(await query(jc, opts.query, timeoutMs, opts, plain), idle);
  if (script.trim() === '') {
    // Directives and no command: an empty reply would read as a command that printed nothing.
    const alone = plain && !opts.interrupt && opts.kill === undefined && !opts.status && opts.auth === undefined && text.trim() !== '';
    if (alone) reply.notice(`nothing to run: the request had directives but no command (a command goes on the lines after them)${sessionNote(session.name)}`);
    return outcome;
  }
  const busy = session.busy();
  if (opts.nowait && busy !== null) {
    const fg = busy.job === null ? undefined : session.jobs.get(busy.job);
    const ways = fg === undefined ? 'see #!jobs' : jobHandles(session.name, fg, ['wait', 'look', 'stop']);
    reply.notice(`session "${session.name}" is busy ${busyDoing(busy)}; ${ways}`);
    return withIdle({ status: STATUS_RELAY_ERROR, reason: 'busy', fields: busyFields(session, busy) }, idle);
  }
  const stray = says ? strayDirectives(script) : null;
  if (stray !== null) reply.notice(stray);
  const started = Date.now();
  const job = session.submit({ command: script, origin: 'exec', interactive: opts.interactive, raw: opts.raw });
  log.debug({ evt: 'exec.submit', job: job.id, bytes: script.length }, 'exec submitted');
  // Behind a running job (not merely between two jobs): say so at once (queued.ts).
  const ahead = job.state === 'queued' ? session.ahead(job) : null;
  const inLine = ahead !== null && (ahead.running !== null || ahead.queued.length > 0) ? waitInLine(reply, session, job, { timeoutMs, silent: opts.raw, queue: opts.queue }) : null;
  // Jobs that ended with no reply to say how: said as this one starts; the failures of those it
  // waited for in line, at its end too.
  const waited = opts.raw ? null : waitedFor(session, job, inLine !== null);
  const notes = (j: Job): string[] => [emptyStdin(script, j), optionsPutBack(script), ...(waited?.atEnd() ?? []), ranQuietly(j, inLine?.stop() ?? false)].filter((n): n is string => n !== null);
  let result = await replyToJob(jc, job, { from: 0, timeoutMs, pace: true, send: null, ...bounded(opts, plain), ...(says ? { notes } : {}), ...(waited === null ? {} : { atStart: waited.atStart }) });
  inLine?.stop();
  // Given up behind a job that ran on (queued.ts): refused as busy, as #!nowait is.
  const refused = inLine?.refused() ?? null;
  if (refused !== null) result = { ...result, reason: 'busy', fields: busyFields(session, refused) };
  if (job.state === 'queued' && reply.socket.destroyed && session.cancel(job)) log.info({ evt: 'exec.abandoned' }, 'client left before its request started; dropped');
  const done = { evt: 'exec.done', session: session.name, job: job.id, reason: result.reason, status: result.status, bytes: script.length, ms: Date.now() - started, ...(config.logCommands ? { command: script } : {}) };
  // Written once the reply is on its way (the caller closes it before the next turn of the loop).
  setImmediate(() => log.info(done, 'exec done'));
  return withIdle(result, idle);
}

// `#!wait`, `#!jobs`, `#!send`, `#!screen`, `#!output`: they never queue behind a job.
async function query(jc: JobReplyContext, q: Exclude<Query, { kind: 'sessions' | 'end' }>, timeoutMs: number, opts: ExecOptions, plain: boolean): Promise<Outcome> {
  const { reply, session } = jc;
  const error = (message: string): Outcome => relayError(reply, message);
  const find = (id: number | null): Job | string => {
    const job = id === null ? session.jobs.latest() : session.jobs.get(id);
    if (job !== undefined) return job;
    const p = session.predecessor;
    const gone = p === null ? '' : `; this session is new since ${session.createdAt.toTimeString().slice(0, 8)}: the one before was ended ${p.how}, its jobs with it`;
    return id === null ? `session "${session.name}" has no jobs yet${gone}` : `no job ${id} in session "${session.name}" (see #!jobs)${gone}`;
  };
  switch (q.kind) {
    case 'jobs':
      reply.write(Buffer.from(session.jobs.list().length === 0 ? `session "${session.name}" has no jobs yet\n` : jobsText(session)));
      return { status: 0, reason: 'exit', fields: {} };
    case 'screen':
      return screenReply(reply, session);
    case 'output': {
      const job = find(q.job);
      if (typeof job === 'string') return error(job);
      // For nc bounded as a reply is, a range FROM TO too (an agent that sent the left-out line's
      // own range got megabytes); a client that reads a trailer bounds by itself, as before.
      const b = jc.trailer ? { limit: undefined, byDefault: false } : bounded(opts, plain);
      return outputReply(reply, job, q.from, q.to, b.limit === undefined ? null : { limit: b.limit, more: b.byDefault ? DEFAULT_BOUND_NOTE : '', session: session.name });
    }
    case 'wait': {
      const job = find(q.job);
      if (typeof job === 'string') return error(job);
      // Over, and nothing left to deliver: say which job that was and how to see its output again.
      if (!opts.raw && !job.live && job.delivered >= job.head) return alreadyEnded(jc, job);
      return replyToJob(jc, job, { from: job.delivered, timeoutMs, pace: true, send: null, ...bounded(opts, plain) });
    }
    case 'send': {
      const decoded = decodeSendText(q.text);
      if (!decoded.ok) return error(decoded.message);
      const job = session.foreground();
      if (job === null) return error(`nothing is running in session "${session.name}" to type into; send a command instead`);
      const ahead = opts.typeahead ? null : typeAheadRefusal(session, job, decoded.bytes);
      if (ahead !== null) return error(ahead);
      // The reply starts with the agent's own job's output that no reply showed yet (what it
      // printed since the last one), then what the keystrokes provoke; a person's command's output
      // before them is on their screen.
      const from = job.spec.origin === 'exec' ? Math.max(job.delivered, job.tail) : job.head;
      return replyToJob(jc, job, { from, timeoutMs, pace: false, send: decoded.bytes, ...bounded(opts, plain) });
    }
  }
}

// The bound on the job output a reply carries: `#!limit` (0: none); without one, REPLY_BYTES for a
// plain reply (nc: an agent's context), none for a trailer's client (it bounds by itself) or #!raw.
function bounded(opts: ExecOptions, plain: boolean): { limit: number | undefined; byDefault: boolean } {
  if (opts.limit !== undefined) return { limit: opts.limit === 0 ? undefined : opts.limit, byDefault: false };
  return plain ? { limit: REPLY_BYTES, byDefault: true } : { limit: undefined, byDefault: false };
}

// `#!nocreate` on a name that has no session: the names there are (a mistyped name is the usual
// cause: the one it is a typo of comes first).
function noSession(name: string, names: string[]): string {
  const near = nearName(name, names);
  const meant = near === null ? '' : `did you mean "${near}"?; `;
  return `no session "${name}" (${names.length === 0 ? 'there are none yet' : `${meant}sessions: ${names.join(', ')}`}); a command starts one`;
}

// What a busy session runs, for a trailer: the job, its state, since when, its command and prompt.
function busyFields(session: Session, b: BusyInfo): TrailerFields {
  const fg = b.job === null ? undefined : session.jobs.get(b.job);
  const input = fg?.state === 'input';
  return {
    session: session.name,
    ...(b.job === null ? {} : { job: String(b.job) }),
    state: input ? 'input' : 'running',
    since: b.since.toISOString(),
    command: b.what,
    ...(input ? { prompt: fg?.waiting?.prompt ?? '' } : {}),
  };
}

// Later requests on one connection keep the earlier ones' session, timeout, trailer and secret.
function inherit(prev: ExecOptions | null, o: ExecOptions): ExecOptions {
  if (prev === null) return o;
  return {
    ...o,
    session: o.session ?? prev.session,
    timeoutMs: o.timeoutMs ?? prev.timeoutMs,
    trailer: o.trailer ?? prev.trailer,
    auth: o.auth ?? prev.auth,
    nowait: o.nowait || prev.nowait,
    queue: o.queue || prev.queue,
    sandbox: o.sandbox !== undefined ? o.sandbox : prev.sandbox,
    nocreate: o.nocreate || prev.nocreate,
  };
}

// The `#!trailer TOKEN` among a request's leading directive lines, even when others are invalid.
function findTrailer(text: string): string | undefined {
  for (const line of leadingDirectives(text).split('\n')) {
    const m = DIRECTIVE_RE.exec(line);
    if (m?.[1] === 'trailer' && TRAILER_TOKEN_RE.test(m[2] ?? '')) return m[2];
  }
  return undefined;
}

// The directive lines a request starts with.
function leadingDirectives(text: string): string {
  const lines = text.split('\n');
  const n = lines.findIndex((line) => !DIRECTIVE_RE.test(line));
  return lines.slice(0, n === -1 ? lines.length : n).join('\n');
}
