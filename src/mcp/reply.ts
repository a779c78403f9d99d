// An exec reply about a job (run, wait, send, kill) as an MCP tool result: the text a model reads,
// ending with one bracketed line that says how the job stands and which tool to call next, and
// the same facts as structured content. A job still going is a state ("running"), never a fake
// exit status. Relay errors become tool errors carrying the relay's message in tool wording.
import type { Trailer } from '../protocol/exec-text';
import { leftOut, relayLinesWorded, type LeftOut } from './wording';

// What a tool hands back to the SDK (structurally the SDK's CallToolResult).
export interface ToolResult {
  [key: string]: unknown; // the SDK's result type is open
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export type JobState = 'done' | 'running' | 'waiting-for-input' | 'busy' | 'not-run' | 'shell-exited';
export const JOB_STATES: readonly [JobState, ...JobState[]] = ['done', 'running', 'waiting-for-input', 'busy', 'not-run', 'shell-exited'];

// What a busy session's job is doing (the trailer of a `#!nowait` refusal).
export interface BusyJob {
  job?: number;
  state: 'running' | 'waiting-for-input';
  command?: string;
  seconds?: number;
  prompt?: string;
}

// The structured result of run, wait, send and kill (see schemas.ts).
export interface JobOutcome {
  target: string;
  session: string;
  state: JobState;
  exitStatus?: number;
  job?: number;
  cwd?: string;
  prompt?: string;
  echo?: boolean;
  output: string;
  totalBytes?: number;
  omitted?: Partial<LeftOut> & { bytes: number };
  busy?: BusyJob;
}

export interface ReplyContext {
  target: string;
  session: string; // the session asked for (the trailer's, when it names one, wins)
  omittedBytes: number; // left out by the MCP server's own bound
  tool?: 'send' | 'kill';
}

// A tool error with a message for the model.
export function errorResult(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

// The relay's notice that ends a "running" or "waiting for input" reply: the bracketed line
// below replaces it.
const JOB_NOTICE_RE = /(^|\n)pty-relay: (?:still running as job \d+|job \d+ is (?:waiting for input|still running))[^\n]*\n?$/;
// The relay's word that a job ended (in the bracketed line instead) and a busy refusal's notice.
const END_NOTICE_RE = /(^|\n)pty-relay: (?:job \d+ was stopped with [A-Z]+ \(#!kill\)|session "[^"]*" is busy running [^\n]*)\n?$/;

const STATE_OF: Record<string, JobState> = { exit: 'done', running: 'running', input: 'waiting-for-input', busy: 'busy', 'shell-exit': 'shell-exited' };

// Turns a reply into a tool result; `trailer` is null when the connection closed early.
export function execResult(ctx: ReplyContext, trailer: Trailer | null, output: string): ToolResult {
  if (trailer === null) {
    // Older daemons end a refused request (a bad directive) without a trailer.
    if (/^pty-relay: error: /m.test(output)) return errorResult(relayLinesWorded(output).trim());
    return errorResult(join(relayLinesWorded(output), 'pty-relay closed the connection before the reply ended (did the daemon stop or restart?); the command, if it started, may still be running: check with `jobs`'));
  }
  // A timeout is a queued request that was dropped (older daemons: a command left running).
  const state = trailer.reason === 'timeout' ? (/the request was not run/.test(output) ? 'not-run' : 'running') : STATE_OF[trailer.reason];
  if (state === undefined) {
    const why = trailer.reason === 'error' ? '' : ` (reason "${trailer.reason}", status ${trailer.status})`;
    return errorResult(output.trim() === '' ? `pty-relay refused the request${why}` : `${relayLinesWorded(output).replace(/\n$/, '')}${why}`);
  }
  const f = trailer.fields;
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const totalBytes = num(f.bytes);
  let text = state === 'running' || state === 'waiting-for-input' ? output.replace(JOB_NOTICE_RE, '$1') : output.replace(END_NOTICE_RE, '$1');
  const cut = leftOut(text, totalBytes);
  text = cut.text;
  const omitted = cut.omitted ?? (ctx.omittedBytes > 0 ? { bytes: ctx.omittedBytes } : undefined);
  const o: JobOutcome = {
    target: ctx.target,
    session: f.session ?? ctx.session,
    state,
    ...(state === 'done' || state === 'shell-exited' ? { exitStatus: trailer.status } : {}),
    ...(num(f.job) !== undefined ? { job: num(f.job) } : {}),
    ...(f.cwd !== undefined ? { cwd: f.cwd } : {}),
    ...(f.prompt !== undefined && state !== 'busy' ? { prompt: f.prompt } : {}),
    ...(f.echo === 'on' || f.echo === 'off' ? { echo: f.echo === 'on' } : {}),
    output: relayLinesWorded(text),
    ...(totalBytes !== undefined ? { totalBytes } : {}),
    ...(omitted !== undefined ? { omitted } : {}),
    ...(state === 'busy' ? { busy: busyJob(f) } : {}),
  };
  const result: ToolResult = { content: [{ type: 'text', text: join(o.output, statusLine(o, ctx.tool)) }], structuredContent: { ...o } };
  return state === 'busy' || state === 'not-run' ? { ...result, isError: true } : result;
}

function busyJob(f: Record<string, string>): BusyJob {
  const since = f.since !== undefined ? Date.parse(f.since) : NaN;
  return {
    ...(f.job !== undefined && /^\d+$/.test(f.job) ? { job: Number(f.job) } : {}),
    state: f.state === 'input' ? 'waiting-for-input' : 'running',
    ...(f.command !== undefined ? { command: f.command.replace(/^job \d+: /, '') } : {}),
    ...(Number.isNaN(since) ? {} : { seconds: Math.max(0, Math.round((Date.now() - since) / 1000)) }),
    ...(f.prompt !== undefined ? { prompt: f.prompt } : {}),
  };
}

// The bracketed line that ends the text of a result.
export function statusLine(o: JobOutcome, tool?: 'send' | 'kill'): string {
  const job = o.job !== undefined ? `job ${o.job}` : 'the job';
  const arg = o.job !== undefined ? ` {"job":${o.job}}` : '';
  const where = o.cwd !== undefined ? `; cwd ${o.cwd}` : '';
  switch (o.state) {
    case 'done':
      if (tool === 'send' || tool === 'kill') return `[${job} ${tool === 'kill' ? 'stopped' : 'ended'}: exit status ${o.exitStatus}${where}]`;
      return `[exit status ${o.exitStatus}${where}]`;
    case 'running':
      return `[still running as ${job} in session "${o.session}"; it was not stopped. Call wait${arg} for more output and its exit status, screen to see it, send to type into it, kill${arg} to stop it]`;
    case 'waiting-for-input': {
      const echo = o.echo === false ? ' with echo off (a password prompt: send it and "\\n")' : '';
      const prompt = o.prompt !== undefined ? `; prompt: ${JSON.stringify(o.prompt)}` : '';
      return `[${job} in session "${o.session}" is waiting for input${echo}${prompt}. Answer with send (end the text with "\\n" to press Enter), look with screen, or stop it with kill${arg}]`;
    }
    case 'busy': {
      const b = o.busy;
      const bj = b?.job !== undefined ? `job ${b.job}` : 'a job';
      const what = b?.command !== undefined ? ` (\`${b.command}\`` + (b.seconds !== undefined ? `, ${b.seconds} s` : '') + ')' : '';
      const doing = b?.state === 'waiting-for-input' ? ` waiting for input${b.prompt !== undefined ? ` at ${JSON.stringify(b.prompt)}` : ''}` : ' running';
      const ja = b?.job !== undefined ? ` {"job":${b.job}}` : '';
      return `[not run: session "${o.session}" is busy with ${bj}${what}${doing}. Let it finish with wait${ja}, ${b?.state === 'waiting-for-input' ? 'answer it with send, ' : ''}stop it with kill${ja}, look with screen, or run this with another session name]`;
    }
    case 'not-run':
      return `[not run: session "${o.session}" stayed busy past the timeout; see jobs, wait or kill]`;
    case 'shell-exited':
      return `[the shell of session "${o.session}" exited with status ${o.exitStatus}; the next command starts a fresh shell]`;
  }
}

function join(output: string, line: string): string {
  if (output === '') return line;
  return `${output}${output.endsWith('\n') ? '' : '\n'}${line}`;
}
