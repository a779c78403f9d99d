// When is an exec request complete, and what does it ask for? Pure functions over the bytes so far.
import { isCompleteCommand } from './bash-syntax';
import { nearName } from './hints';
import { DIRECTIVE_RE, TRAILER_TOKEN_RE } from '../../protocol/exec-text';
import { validateSessionName } from '../../protocol/session-name';
import { classifyStart, onlyLineEnds } from '../../protocol/sniff';

export interface RequestTiming {
  // Quiet time after a complete-looking request from a client that sends no EOF. Loopback pipes
  // deliver a whole `echo … | nc` burst within microseconds, so a few ms is plenty.
  settleMs: number;
  // Quiet time after text that is not yet a complete command (open quote, heredoc, `if` …).
  incompleteMs: number;
  // A complete request that arrived in one read smaller than quickBytes settles this fast instead:
  // `echo cmd | nc` sends its command in one write, while a script piped through nc arrives in
  // reads of nc's full buffer (≥ 4 KiB) back to back, so its first read is never "small".
  quickSettleMs: number;
  quickBytes: number;
  // A request must be complete this long after its first byte, or it is refused: the quiet times
  // above restart with every byte, so without this a client trickling bytes held its request (and
  // its connection) open for ever. 60 s carries the largest request (--max-request-bytes) through
  // a slow tunnel; the daemon caps it at twice --handshake-timeout.
  deadlineMs: number;
  // A closed connection's reply that makes no progress this long (its client reads nothing: gone
  // without a word, or stuck for good) is dropped, and what it did not read counts as lost. Before,
  // such a client kept its connection and up to its whole reply in the daemon until it left.
  replyStallMs: number;
}

export const DEFAULT_TIMING: RequestTiming = { settleMs: 5, incompleteMs: 1000, quickSettleMs: 1, quickBytes: 4096, deadlineMs: 60_000, replyStallMs: 60_000 };

export type Readiness =
  | { kind: 'ready' }
  | { kind: 'wait'; ms: number; syntax?: true }
  | { kind: 'empty' }
  | { kind: 'refuse'; reason: 'too-large' | 'binary' | 'http' | 'tls'; message: string };

export const HTTP_REFUSAL = 'HTTP request refused; this port speaks shell text, not HTTP';

// Judges the bytes received so far, in `reads` reads. `eof` means the client half-closed its side.
// The start is judged first and alone (protocol/sniff.ts): whatever its length, a request that starts
// like HTTP is refused, and one that could still become such a start never runs before it is known.
// With `syntax` false the shell syntax is left unjudged: the answer is then the wait a complete
// request would get, marked `syntax`, after which the caller judges again with it (parsing a long
// request at each of its reads would cost quadratic time: 4 MiB arrive in ~64 reads).
export function judgeRequest(buf: Buffer, eof: boolean, maxBytes: number, timing: RequestTiming, reads = Infinity, syntax = true): Readiness {
  const start = classifyStart(buf);
  if (start === 'http') return { kind: 'refuse', reason: 'http', message: HTTP_REFUSAL };
  if (start === 'tls') return { kind: 'refuse', reason: 'tls', message: 'TLS refused; this port speaks plain shell text (http:// with --web), not https://' };
  if (buf.length > maxBytes) {
    return { kind: 'refuse', reason: 'too-large', message: `request is larger than ${maxBytes} bytes (see --max-request-bytes)` };
  }
  if (buf.includes(0)) {
    return { kind: 'refuse', reason: 'binary', message: 'request contains NUL bytes; exec requests must be shell text' };
  }
  if (eof) return buf.length === 0 ? { kind: 'empty' } : { kind: 'ready' };
  if (buf.length === 0) return { kind: 'wait', ms: Infinity };
  // "GET" or "POST /" cut short: never run a part of what may be a request line (its rest would be
  // judged on its own as the next request); the request's deadline ends the wait.
  if (start === 'undecided' && !onlyLineEnds(buf)) return { kind: 'wait', ms: Infinity };
  const settle = reads === 1 && buf.length < timing.quickBytes ? timing.quickSettleMs : timing.settleMs;
  if (!syntax) return { kind: 'wait', ms: settle, syntax: true };
  const text = buf.toString('utf8');
  const complete = text.endsWith('\n') && isCompleteCommand(stripDirectives(text));
  if (!complete) return { kind: 'wait', ms: timing.incompleteMs };
  return { kind: 'wait', ms: settle };
}

// What a request asks about an existing job instead of running a command (at most one per request).
export type Query =
  | { kind: 'wait'; job: number | null }
  | { kind: 'jobs' }
  | { kind: 'send'; text: string }
  | { kind: 'screen' }
  | { kind: 'output'; job: number; from: number | null; to: number | null }
  | { kind: 'sessions' } // not about a job: the daemon's sessions (sessions-reply.ts)
  | { kind: 'end' }; // ends the request's session

export interface ExecOptions {
  session: string | undefined;
  timeoutMs: number | undefined; // undefined: the daemon's default; 0: none
  interrupt: boolean;
  kill: { job: number | null } | undefined; // `#!kill [N]`
  status: boolean;
  nowait: boolean;
  queue: boolean; // `#!queue`: behind a busy session, wait in line up to the timeout (queued.ts)
  nocreate: boolean; // `#!nocreate`: refuse rather than start a session that does not exist
  interactive: boolean;
  raw: boolean;
  typeahead: boolean; // `#!typeahead` (with `#!send`): type even into a job not reading the terminal
  limit: number | undefined; // bytes of output a reply may carry (head and tail); 0: no bound
  query: Query | undefined;
  trailer: string | undefined;
  notes: boolean; // `#!notes` (with `#!trailer`): the relay's own words come as note frames
  auth: string | undefined;
  sandbox: string | null | undefined; // `#!sandbox [PROFILE]`: null for the default profile
}

export type ParsedRequest = { ok: true; options: ExecOptions; script: string } | { ok: false; message: string };

const MAX_TIMEOUT_S = 7 * 24 * 3600;
// The directives there are, in the order the README lists them.
export const DIRECTIVE_NAMES = ['session', 'sandbox', 'timeout', 'nowait', 'queue', 'nocreate', 'interrupt', 'status', 'sessions', 'end', 'trailer', 'notes', 'auth', 'wait', 'jobs', 'send', 'screen', 'kill', 'typeahead', 'interactive', 'raw', 'limit', 'output'];
// Those a person or an agent types (the README's agent block and Directives table), named by the
// unknown-directive error; the others serve pty-relay's own clients (trailer, notes, auth,
// nocreate) or special cases (sandbox, raw), and the error says where they are described.
const TYPED = ['session', 'timeout', 'wait', 'jobs', 'send', 'typeahead', 'screen', 'kill', 'interrupt', 'interactive', 'limit', 'output', 'queue', 'nowait', 'status', 'sessions', 'end'];
const KNOWN = `${TYPED.join(', ')}; the others, for pty-relay's own clients, are in the README's Directives table`;

// Splits leading `#!directive` lines from the script and validates them.
export function parseRequest(text: string): ParsedRequest {
  const options: ExecOptions = {
    session: undefined,
    timeoutMs: undefined,
    interrupt: false,
    kill: undefined,
    status: false,
    nowait: false,
    queue: false,
    nocreate: false,
    interactive: false,
    raw: false,
    typeahead: false,
    limit: undefined,
    query: undefined,
    trailer: undefined,
    notes: false,
    auth: undefined,
    sandbox: undefined,
  };
  let rest = text;
  for (;;) {
    const nl = rest.indexOf('\n');
    const line = nl === -1 ? rest : rest.slice(0, nl);
    const m = DIRECTIVE_RE.exec(line);
    if (m === null) break;
    const err = applyDirective(options, m[1] as string, m[2] ?? '');
    if (err !== null) return { ok: false, message: err };
    rest = nl === -1 ? '' : rest.slice(nl + 1);
  }
  if (options.query !== undefined && rest.trim() !== '') {
    const about = options.query.kind === 'sessions' || options.query.kind === 'end' ? 'is about sessions' : 'asks about a job';
    return { ok: false, message: `#!${options.query.kind} ${about} and cannot carry a command; send the command as a request of its own` };
  }
  if (options.typeahead && options.query?.kind !== 'send') return { ok: false, message: '#!typeahead goes with #!send (it types keys even into a job that is not reading the terminal)' };
  return { ok: true, options, script: rest };
}

const JOB_RE = /^[1-9]\d{0,9}$/;
const OFFSET_RE = /^\d{1,15}$/;

function applyDirective(o: ExecOptions, name: string, arg: string): string | null {
  const setQuery = (q: Query): string | null => {
    if (o.query !== undefined) return `#!${name} and #!${o.query.kind} cannot be combined in one request`;
    o.query = q;
    return null;
  };
  const optionalJob = (): number | null | string => {
    if (arg === '') return null;
    return JOB_RE.test(arg) ? Number(arg) : `#!${name} takes an optional job number, got "${arg}"`;
  };
  switch (name) {
    case 'session': {
      const err = validateSessionName(arg);
      if (err !== null) return `#!session: ${err}`;
      o.session = arg;
      return null;
    }
    case 'sandbox':
      if (arg !== '' && !/^[a-z][a-z0-9_-]{0,31}$/.test(arg)) return `#!sandbox takes an optional profile name ([a-z0-9_-], as in the daemon's --sandbox-config), got "${arg.slice(0, 40)}"`;
      o.sandbox = arg === '' ? null : arg;
      return null;
    case 'timeout': {
      if (!/^\d+(\.\d+)?$/.test(arg) || Number(arg) > MAX_TIMEOUT_S) {
        return `#!timeout takes seconds from 0 to ${MAX_TIMEOUT_S} (0 = no timeout), got "${arg}"`;
      }
      o.timeoutMs = Math.round(Number(arg) * 1000);
      return null;
    }
    case 'limit':
      if (!/^(0|[1-9]\d{0,12})$/.test(arg)) return `#!limit takes a number of bytes (0: no bound), got "${arg}"`;
      o.limit = Number(arg);
      return null;
    case 'trailer':
      if (!TRAILER_TOKEN_RE.test(arg)) return '#!trailer takes a token of 8-64 characters [A-Za-z0-9_-]';
      o.trailer = arg;
      return null;
    case 'auth':
      if (arg === '') return '#!auth takes the shared secret';
      o.auth = arg;
      return null;
    case 'wait':
    case 'kill': {
      const job = optionalJob();
      if (typeof job === 'string') return job;
      if (name === 'kill') {
        o.kill = { job };
        return null;
      }
      return setQuery({ kind: 'wait', job });
    }
    case 'send':
      if (arg === '') return '#!send takes the text to type, with C escapes (\\n for Enter, \\e for Esc, \\x03 for Ctrl-C)';
      return setQuery({ kind: 'send', text: arg });
    case 'output': {
      const parts = arg.split(/[ \t]+/);
      const [job, from, to] = parts;
      if (parts.length > 3 || job === undefined || !JOB_RE.test(job) || (from !== undefined && !OFFSET_RE.test(from)) || (to !== undefined && !OFFSET_RE.test(to))) {
        return `#!output takes a job number and optional byte offsets: #!output N [FROM [TO]], got "${arg}"`;
      }
      return setQuery({ kind: 'output', job: Number(job), from: from === undefined ? null : Number(from), to: to === undefined ? null : Number(to) });
    }
    case 'jobs':
    case 'screen':
    case 'sessions':
    case 'end':
      if (arg !== '') return name === 'end' ? `#!end takes no argument: it ends the request's session (name it with #!session ${arg.slice(0, 64)} on a line before)` : `#!${name} takes no argument`;
      return setQuery({ kind: name });
    case 'interrupt':
    case 'status':
    case 'nowait':
    case 'notes':
    case 'queue':
    case 'nocreate':
    case 'interactive':
    case 'raw':
    case 'typeahead':
      if (arg !== '') return `#!${name} takes no argument`;
      o[name] = true;
      return null;
    default: {
      const near = nearName(name, DIRECTIVE_NAMES);
      return `unknown directive "#!${name}"${near === null ? '' : ` (did you mean #!${near}?)`} (known: ${KNOWN})`;
    }
  }
}

function stripDirectives(text: string): string {
  const r = parseRequest(text);
  return r.ok ? r.script : '';
}
