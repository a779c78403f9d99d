// The results of the tools that look rather than run: `screen` (the terminal as a person sees
// it), `jobs` (the session's job table) and `output` (a byte range of a job's output). The text
// carries what they show; a few structured facts sit beside it (never the text again), and none
// claims an exit status it was not given.
import type { ExecReply } from './relay';
import { errorResult, execResult, type ReplyContext, type ToolResult } from './reply';
import { call, relayLinesWorded, type Where } from './wording';

export type ViewContext = ReplyContext;

const where = (ctx: ViewContext): Where => ({ session: ctx.session, ...(ctx.targetArg !== undefined ? { target: ctx.targetArg } : {}) });

// A refused request (the reason is not "exit") as a tool error in tool wording.
function refused(ctx: ViewContext, r: ExecReply): ToolResult | null {
  if (r.trailer !== null && r.trailer.reason === 'exit') return null;
  return execResult({ ...ctx, omittedBytes: r.omittedBytes }, r.trailer, r.output);
}

// "pty-relay: screen 200x50, cursor at row 3 column 1, normal screen; job 4 is running"
const SCREEN_RE = /(?:^|\n)pty-relay: screen (\d+)x(\d+), cursor at row (\d+) column (\d+), ([^;\n]*); ([^\n]*)\n?$/;

// `#!screen`'s reply: the rows, then the size, cursor, mode and what runs.
export function screenResult(ctx: ViewContext, r: ExecReply): ToolResult {
  const bad = refused(ctx, r);
  if (bad !== null) return bad;
  const m = SCREEN_RE.exec(r.output);
  if (m === null) return errorResult(`unexpected #!screen reply from the daemon:\n${r.output}`);
  const screen = r.output.slice(0, m.index + (r.output[m.index] === '\n' ? 1 : 0));
  const f = r.trailer?.fields ?? {};
  const what = m[6] as string;
  const jobState = /waiting for input/.test(what) ? 'waiting-for-input' : /is running/.test(what) ? 'running' : 'idle';
  const job = f.job !== undefined && /^\d+$/.test(f.job) ? Number(f.job) : undefined;
  const s = {
    target: ctx.target,
    session: ctx.session,
    cols: Number(m[1]),
    rows: Number(m[2]),
    cursor: { row: Number(m[3]), col: Number(m[4]) },
    altScreen: f.alt === 'on' || /alternate/.test(m[5] as string),
    jobState,
    ...(job !== undefined ? { job } : {}),
    ...(f.program !== undefined ? { program: f.program } : {}),
  };
  const line = `[screen ${s.cols}x${s.rows}, cursor at row ${s.cursor.row} column ${s.cursor.col}${s.altScreen ? ', a full-screen program' : ''}; ${what}]`;
  return { content: [{ type: 'text', text: `${screen}${line}` }], structuredContent: s };
}

// One row of `#!jobs`: JOB STATE STATUS STARTED TIME BYTES COMMAND.
const JOB_ROW_RE = /^(\d+) +(\S+) +(\S+) +(\S+) +(\S+) +(\d+) +(.*)$/;
// Jobs a `jobs` call shows when it gives no limit: enough for the recent past.
export const DEFAULT_JOBS = 20;

// `#!jobs`'s reply as rows, newest last; only the last `limit` of them.
export function jobsResult(ctx: ViewContext, r: ExecReply, limit: number): ToolResult {
  const bad = refused(ctx, r);
  if (bad !== null) return bad;
  const lines = r.output.split('\n').filter((l) => l !== '');
  const rows = lines.slice(1).map((l) => JOB_ROW_RE.exec(l)).filter((m) => m !== null);
  const jobs = rows.slice(-limit).map((m) => ({
    job: Number(m[1]),
    state: m[2] === 'waiting' ? 'waiting-for-input' : (m[2] as string),
    ...(m[3] !== '-' ? { exitStatus: Number(m[3]) } : {}),
    started: m[4] as string,
    ...(m[5] !== '-' ? { seconds: parseFloat(m[5] as string) } : {}),
    bytes: Number(m[6]),
    command: m[7] as string,
  }));
  const older = rows.length - jobs.length;
  const shown = rows.length === 0 ? relayLinesWorded(r.output, where(ctx)) : `${[lines[0], ...lines.slice(1).slice(-limit)].join('\n')}\n`;
  const note = older > 0 ? `[${older} older job(s) not shown: ${call('jobs', { limit: Math.min(1000, rows.length) }, where(ctx))}]` : `[${jobs.length} job(s)]`;
  const last = jobs[jobs.length - 1];
  const latest = last === undefined ? {} : { latest: { job: last.job, state: last.state, ...(last.exitStatus !== undefined ? { exitStatus: last.exitStatus } : {}) } };
  return { content: [{ type: 'text', text: `${shown}${note}` }], structuredContent: { target: ctx.target, session: ctx.session, shown: jobs.length, ...(older > 0 ? { older } : {}), ...latest } };
}

// "pty-relay: bytes F to T of job N's output are no longer kept"
const LOST_RE = /^pty-relay: bytes (\d+) to (\d+) of job \d+'s output are no longer kept\n/;

// `#!output N [FROM [TO]]`'s reply: the bytes, where they lie, and the output's size. A reply cut
// to the limit says which bytes it left out, by their offsets in the job's output, and the call
// that fetches them.
export function outputResult(ctx: ViewContext, r: ExecReply, job: number, from: number | undefined, to: number | undefined): ToolResult {
  const bad = refused(ctx, r);
  if (bad !== null) return bad;
  const f = r.trailer?.fields ?? {};
  const total = f.bytes !== undefined && /^\d+$/.test(f.bytes) ? Number(f.bytes) : undefined;
  const lost = LOST_RE.exec(r.output);
  const start = lost !== null ? Number(lost[2]) : Math.min(from ?? 0, total ?? Infinity);
  // Reply offset 0 is job offset `base` (the "no longer kept" line, when there is one, comes first).
  const base = start - (lost !== null ? Buffer.byteLength(lost[0]) : 0);
  let omitted: { from: number; to: number; bytes: number } | undefined;
  const text = r.bounded.text((a, b) => {
    omitted = { from: base + a, to: base + b, bytes: b - a };
    return `[bytes ${base + a} to ${base + b} of job ${job}'s output left out here (the limit); fetch them with ${call('output', { job, from: base + a, to: base + b }, where(ctx))}]`;
  });
  const output = lost === null ? text : text.slice(lost[0].length);
  const end = total === undefined ? start + Buffer.byteLength(output) + r.omittedBytes : Math.max(start, Math.min(to ?? total, total));
  const s = {
    target: ctx.target,
    session: ctx.session,
    job,
    from: start,
    to: end,
    ...(total !== undefined ? { totalBytes: total } : {}),
    ...(omitted !== undefined ? { omitted } : {}),
    ...(lost !== null ? { lostBytes: Number(lost[2]) - Number(lost[1]) } : {}),
  };
  const gone = lost !== null ? `; bytes ${lost[1]} to ${lost[2]} are no longer kept` : '';
  const line = `[bytes ${start} to ${end}${total !== undefined ? ` of ${total}` : ''} of job ${job}'s output${gone}]`;
  return { content: [{ type: 'text', text: `${output}${output === '' || output.endsWith('\n') ? '' : '\n'}${line}` }], structuredContent: s };
}
