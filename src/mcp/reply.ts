// An exec reply (output + trailer) as an MCP tool result: the text a model reads, ending with one
// bracketed line that says how the job stands and which tool to call next, and the same facts as
// structured content. Relay errors become tool errors carrying the relay's own message.
import type { Trailer } from '../protocol/exec-text';

// What a tool hands back to the SDK (structurally the SDK's CallToolResult).
export interface ToolResult {
  [key: string]: unknown; // the SDK's result type is open
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export type JobState = 'done' | 'running' | 'waiting-for-input' | 'timed-out' | 'shell-exited';
export const JOB_STATES: readonly [JobState, ...JobState[]] = ['done', 'running', 'waiting-for-input', 'timed-out', 'shell-exited'];

// The structured result of every exec tool (see schemas.ts for the descriptions).
export interface ExecOutcome {
  target: string;
  session: string;
  state: JobState;
  status: number;
  exitStatus?: number;
  job?: number;
  cwd?: string;
  prompt?: string;
  echo?: boolean;
  output: string;
  omittedBytes?: number;
}

export interface ReplyContext {
  target: string;
  session: string; // the session asked for (the trailer's, when it names one, wins)
  omittedBytes: number; // left out by the MCP server's own bound
}

// A tool error with a message for the model.
export function errorResult(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

// The relay's notice that ends a "running" or "waiting for input" reply: it speaks in directives
// for netcat users, so the bracketed line below replaces it.
const JOB_NOTICE_RE = /(^|\n)pty-relay: (?:still running as job \d+|job \d+ is waiting for input)[^\n]*\n?$/;

const STATE_OF: Record<string, JobState> = {
  exit: 'done',
  running: 'running',
  input: 'waiting-for-input',
  timeout: 'timed-out',
  'shell-exit': 'shell-exited',
};

// Turns a reply into a tool result; `trailer` is null when the connection closed early.
export function execResult(ctx: ReplyContext, trailer: Trailer | null, output: string): ToolResult {
  if (trailer === null) {
    // Older daemons end a refused request (a bad directive) without a trailer.
    if (/^pty-relay: error: /m.test(output)) return errorResult(output.trim());
    return errorResult(join(output, 'pty-relay closed the connection before the reply ended (did the daemon stop or restart?); the command, if it started, may still be running: check with `jobs`'));
  }
  const state = STATE_OF[trailer.reason];
  if (state === undefined) {
    const why = trailer.reason === 'error' || trailer.reason === 'busy' ? '' : ` (reason "${trailer.reason}", status ${trailer.status})`;
    return errorResult(output.trim() === '' ? `pty-relay refused the request${why}` : `${output.replace(/\n$/, '')}${why}`);
  }
  const f = trailer.fields;
  const jobText = f.job !== undefined && /^\d+$/.test(f.job) ? f.job : undefined;
  const outcome: ExecOutcome = {
    target: ctx.target,
    session: f.session ?? ctx.session,
    state,
    status: trailer.status,
    ...(state === 'done' || state === 'shell-exited' ? { exitStatus: trailer.status } : {}),
    ...(jobText !== undefined ? { job: Number(jobText) } : {}),
    ...(f.cwd !== undefined ? { cwd: f.cwd } : {}),
    ...(f.prompt !== undefined ? { prompt: f.prompt } : {}),
    ...(f.echo === 'on' || f.echo === 'off' ? { echo: f.echo === 'on' } : {}),
    output: state === 'running' || state === 'waiting-for-input' ? output.replace(JOB_NOTICE_RE, '$1') : output,
    ...(ctx.omittedBytes > 0 ? { omittedBytes: ctx.omittedBytes } : {}),
  };
  return { content: [{ type: 'text', text: join(outcome.output, statusLine(outcome)) }], structuredContent: { ...outcome } };
}

// The bracketed line that ends the text of a result.
export function statusLine(o: ExecOutcome): string {
  const job = o.job !== undefined ? `job ${o.job}` : 'the job';
  const where = o.cwd !== undefined ? `; cwd ${o.cwd}` : '';
  switch (o.state) {
    case 'done':
      return `[exit status ${o.status}${where}]`;
    case 'running':
      return `[still running as ${job} in session "${o.session}"; it was not stopped. Call wait${o.job !== undefined ? ` (job ${o.job})` : ''} for more output and its exit status, screen to see it, send to type into it, kill to stop it]`;
    case 'waiting-for-input': {
      const echo = o.echo === false ? ', echo off (a password?)' : '';
      const prompt = o.prompt !== undefined ? `; prompt: ${JSON.stringify(o.prompt)}` : '';
      return `[${job} in session "${o.session}" is waiting for input${echo}${prompt}. Answer with send (end the text with \\n to press Enter), look with screen, or stop it with kill]`;
    }
    case 'timed-out':
      return `[timed out; the command was not stopped${where}]`;
    case 'shell-exited':
      return `[the shell of session "${o.session}" exited with status ${o.status}; the next command starts a fresh shell]`;
  }
}

function join(output: string, line: string): string {
  if (output === '') return line;
  return `${output}${output.endsWith('\n') ? '' : '\n'}${line}`;
}
