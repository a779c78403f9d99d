// An exec reply about a job (run, wait, send, kill) as an MCP tool result: the text a model reads
// (the command's output as it is, then one bracketed line that says how the job stands and which
// calls come next, each pasteable as is), and a few structured facts beside it (state, job, exit
// status, offsets): never the output a second time. A job still going is a state ("running"),
// never a fake exit status. Relay errors become tool errors carrying the relay's message in tool
// wording.
import type { Trailer } from '../protocol/exec-text';
import { call, endSession, leftOut, relayLinesWorded, type LeftOut, type Where } from './wording';

// What a tool hands back to the SDK (structurally the SDK's CallToolResult).
export interface ToolResult {
  [key: string]: unknown; // the SDK's result type is open
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export type JobState = 'done' | 'running' | 'waiting-for-input' | 'busy' | 'not-run' | 'shell-exited';

// What a busy session's job is doing (the trailer of a `#!nowait` refusal).
export interface BusyJob {
  job?: number;
  state: 'running' | 'waiting-for-input';
  command?: string;
  seconds?: number;
  prompt?: string;
}

// The structured result of run, wait, send and kill (the output itself is in the text only).
export interface JobOutcome {
  target: string;
  session: string;
  state: JobState;
  exitStatus?: number;
  job?: number;
  cwd?: string;
  prompt?: string;
  echo?: boolean;
  totalBytes?: number;
  omitted?: Partial<LeftOut> & { bytes: number };
  busy?: BusyJob;
  program?: string; // a program session's program (`pty-relay new NAME -- CMD`): no jobs, no shell
}

export interface ReplyContext {
  target: string;
  session: string; // the session asked for (the trailer's, when it names one, wins)
  targetArg?: string; // the target, when a call must name it (it is not the default one)
  omittedBytes: number; // left out by the MCP server's own bound
  tool?: 'send' | 'kill';
  cut?: WaitCut; // the call's timeout was longer than one call may wait
}

// A call's timeout cut to the most one call waits (`pty-relay mcp --max-wait`).
export interface WaitCut {
  asked: number;
  max: number;
}

// A tool error with a message for the model.
export function errorResult(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

// The relay's notice that ends a "running" or "waiting for input" reply: the bracketed line
// below replaces it.
// (A program session's: "the program `CMD` in session S is waiting for input …", "… is still running …".)
const JOB_NOTICE_RE = /(^|\n)pty-relay: (?:still running as job \d+|job \d+ is (?:waiting for input|still running)|the program `[^\n]*` in session \S+ is (?:waiting for input|still running))[^\n]*\n?$/;
// The relay's word that a job ended (in the bracketed line instead) and a busy refusal's notice.
const END_NOTICE_RE = /(^|\n)pty-relay: (?:job \d+ was stopped with [A-Z]+ \(#!kill\)|session "[^"]*" is busy (?:running|with) [^\n]*|the program `[^\n]*` in session \S+ (?:ended|was killed)[^\n]*)\n?$/;

// The MCP server's own cut of a reply the daemon did not bound (bounded-output.ts).
const MCP_CUT_RE = /\[pty-relay mcp: (\d+) bytes of output left out here\]/;

const where = (ctx: ReplyContext): Where => ({ session: ctx.session, ...(ctx.targetArg !== undefined ? { target: ctx.targetArg } : {}) });

const STATE_OF: Record<string, JobState> = { exit: 'done', running: 'running', input: 'waiting-for-input', busy: 'busy', 'shell-exit': 'shell-exited' };

// Turns a reply into a tool result; `trailer` is null when the connection closed early.
export function execResult(ctx: ReplyContext, trailer: Trailer | null, output: string): ToolResult {
  if (trailer === null) {
    // Older daemons end a refused request (a bad directive) without a trailer.
    if (/^pty-relay: error: /m.test(output)) return errorResult(relayLinesWorded(output, where(ctx)).trim());
    return errorResult(join(relayLinesWorded(output, where(ctx)), 'pty-relay closed the connection before the reply ended (did the daemon stop or restart?); the command, if it started, may still be running: check with `jobs`'));
  }
  // A timeout is a queued request that was dropped (older daemons: a command left running).
  const state = trailer.reason === 'timeout' ? (/the request was not run/.test(output) ? 'not-run' : 'running') : STATE_OF[trailer.reason];
  if (state === undefined) {
    const why = trailer.reason === 'error' ? '' : ` (reason "${trailer.reason}", status ${trailer.status})`;
    return errorResult(output.trim() === '' ? `pty-relay refused the request${why}` : `${relayLinesWorded(output, where(ctx)).replace(/\n$/, '')}${why}`);
  }
  const f = trailer.fields;
  const ranFor = state === 'running' ? secondsSince(f.since) : undefined;
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const totalBytes = num(f.bytes);
  let text = state === 'running' || state === 'waiting-for-input' ? output.replace(JOB_NOTICE_RE, '$1') : output.replace(END_NOTICE_RE, '$1');
  const session = f.session ?? ctx.session;
  const w: Where = { session, ...(ctx.targetArg !== undefined ? { target: ctx.targetArg } : {}) };
  const cut = leftOut(text, totalBytes, w);
  text = cut.text;
  const omitted = cut.omitted ?? (ctx.omittedBytes > 0 ? { bytes: ctx.omittedBytes } : undefined);
  const o: JobOutcome = {
    target: ctx.target,
    session,
    state,
    ...(state === 'done' || state === 'shell-exited' ? { exitStatus: trailer.status } : {}),
    ...(num(f.job) !== undefined ? { job: num(f.job) } : {}),
    ...(f.cwd !== undefined ? { cwd: f.cwd } : {}),
    ...(f.prompt !== undefined && state !== 'busy' ? { prompt: f.prompt } : {}),
    ...(f.echo === 'on' || f.echo === 'off' ? { echo: f.echo === 'on' } : {}),
    ...(totalBytes !== undefined ? { totalBytes } : {}),
    ...(omitted !== undefined ? { omitted } : {}),
    ...(state === 'busy' ? { busy: busyJob(f) } : {}),
    ...(f.program !== undefined ? { program: f.program } : {}),
  };
  const job = o.job !== undefined ? { job: o.job } : {};
  const shown = relayLinesWorded(text, w).replace(MCP_CUT_RE, (_m, bytes: string) => `[pty-relay mcp: ${bytes} bytes of this reply left out here; the job's output by offset: ${call('output', job, w)}]`);
  const line = statusLine(o, w, ctx.tool, { ...(ranFor !== undefined ? { ranFor } : {}), ...(ctx.cut !== undefined ? { cut: ctx.cut } : {}) });
  const result: ToolResult = { content: [{ type: 'text', text: join(shown, line) }], structuredContent: { ...o } };
  return state === 'busy' || state === 'not-run' ? { ...result, isError: true } : result;
}

// Whole seconds since an ISO time of a trailer field; undefined without one.
function secondsSince(iso: string | undefined): number | undefined {
  const since = iso !== undefined ? Date.parse(iso) : NaN;
  return Number.isNaN(since) ? undefined : Math.max(0, Math.round((Date.now() - since) / 1000));
}

function busyJob(f: Record<string, string>): BusyJob {
  const seconds = secondsSince(f.since);
  return {
    ...(f.job !== undefined && /^\d+$/.test(f.job) ? { job: Number(f.job) } : {}),
    state: f.state === 'input' ? 'waiting-for-input' : 'running',
    ...(f.command !== undefined ? { command: f.command.replace(/^job \d+: /, '') } : {}),
    ...(seconds === undefined ? {} : { seconds }),
    ...(f.prompt !== undefined ? { prompt: f.prompt } : {}),
  };
}

// What a "running" line says besides the job: how long it has run, and that the call's wait was
// cut to the most one call waits.
export interface RunningNote {
  ranFor?: number; // seconds since the job started
  cut?: WaitCut;
}

// The bracketed line that ends the text of a result; every call it names has its arguments.
export function statusLine(o: JobOutcome, w: Where, tool?: 'send' | 'kill', n: RunningNote = {}): string {
  const job = o.job !== undefined ? `job ${o.job}` : 'the job';
  const ja = o.job !== undefined ? { job: o.job } : {};
  const cwd = o.cwd !== undefined ? `; cwd ${o.cwd}` : '';
  const type = call('send', {}, w).replace(/\}$/, ',"text":"…"}');
  if (o.program !== undefined) return programLine(o, w, type);
  switch (o.state) {
    case 'done':
      if (tool === 'send' || tool === 'kill') return `[${job} ${tool === 'kill' ? 'stopped' : 'ended'}: exit status ${o.exitStatus}${cwd}]`;
      return `[exit status ${o.exitStatus}${cwd}]`;
    case 'running': {
      const ran = n.ranFor !== undefined ? ` (running for ${n.ranFor} s)` : '';
      const cut = n.cut !== undefined ? `; this call returned after ${n.cut.max} s, the most one call waits (MCP clients give up on a call after 60 s), not the ${n.cut.asked} s asked: call wait to go on waiting` : '';
      return `[still running as ${job}${ran} in session "${o.session}"; it was not stopped${cut}. More output and its exit status: ${call('wait', ja, w)}; see it: ${call('screen', {}, w)}; type: ${type}; stop it: ${call('kill', ja, w)}]`;
    }
    case 'waiting-for-input': {
      const echo = o.echo === false ? ' with echo off (a password prompt)' : '';
      const prompt = o.prompt !== undefined ? `; prompt: ${JSON.stringify(o.prompt)}` : '';
      return `[${job} in session "${o.session}" is waiting for input${echo}${prompt}. Answer: ${type} ("\\n" is Enter); see it: ${call('screen', {}, w)}; stop it: ${call('kill', ja, w)}]`;
    }
    case 'busy': {
      const b = o.busy;
      const bj = b?.job !== undefined ? `job ${b.job}` : 'a job';
      const what = b?.command !== undefined ? ` (\`${b.command}\`` + (b.seconds !== undefined ? `, ${b.seconds} s` : '') + ')' : '';
      const doing = b?.state === 'waiting-for-input' ? ` waiting for input${b.prompt !== undefined && b.prompt.trim() !== '' ? ` at ${JSON.stringify(b.prompt)}` : ''}` : ' running';
      const bja = b?.job !== undefined ? { job: b.job } : {};
      // A program waiting for input does not finish by itself: waiting on it only blocks.
      if (b?.state === 'waiting-for-input') return `[not run: session "${o.session}" is busy with ${bj}${what}${doing}; it will not finish by itself. Answer it: ${type}; see it: ${call('screen', {}, w)}; stop it: ${call('kill', bja, w)}; or run this with another session name]`;
      return `[not run: session "${o.session}" is busy with ${bj}${what}${doing}. Let it finish: ${call('wait', bja, w)}; stop it: ${call('kill', bja, w)}; see it: ${call('screen', {}, w)}; or run this with another session name]`;
    }
    case 'not-run':
      return `[not run: session "${o.session}" stayed busy past the timeout; see ${call('jobs', {}, w)}]`;
    case 'shell-exited':
      return `[the shell of session "${o.session}" exited with status ${o.exitStatus}; the next command starts a fresh shell]`;
  }
}

// The bracketed line about a program session's program, which has no jobs: it is seen with screen,
// typed into with send, and ended with end_session (or its own quit keys).
function programLine(o: JobOutcome, w: Where, type: string): string {
  const what = `the program \`${o.program}\` in session "${o.session}"`;
  const end = `end it: ${endSession(w)} (or send its quit keys)`;
  if (o.state === 'done') return `[${what} ended: exit status ${o.exitStatus}; the session has ended with it]`;
  if (o.state === 'waiting-for-input') {
    const echo = o.echo === false ? ' with echo off (a password prompt)' : '';
    const prompt = o.prompt !== undefined && o.prompt !== '' ? `; prompt: ${JSON.stringify(o.prompt)}` : '';
    return `[${what} is waiting for input${echo}${prompt}. Type: ${type} ("\\n" is Enter); see it: ${call('screen', {}, w)}; ${end}]`;
  }
  return `[${what} is still running (not waiting for input). See it: ${call('screen', {}, w)}; type: ${type}; interrupt it: ${call('send', { text: '\u0003' }, w)}; ${end}]`;
}

function join(output: string, line: string): string {
  if (output === '') return line;
  return `${output}${output.endsWith('\n') ? '' : '\n'}${line}`;
}
