// Requests that look at a session rather than run a command: `#!status`, `#!jobs`, `#!screen`,
// `#!output`, and `#!kill`. None of them queues behind the job it is about.
import { preview, type Job } from '../jobs/job';
import { listedCommand } from '../jobs/typed-command';
import type { Session } from '../session/session';
import { describeSandbox } from '../../protocol/sandbox-info';
import type { TrailerFields } from '../../protocol/exec-text';
import { describeBusy, endedSummary, formatSeconds, sessionNote } from './hints';
import { relayError, sayRepeat, writeHeadTail, writeRange, type Outcome } from './job-reply';
import type { Reply } from './reply';

// `#!status`: the session's state, shell pid, cwd, running job, queue length and sandbox.
export function statusText(session: Session): string {
  const i = session.info();
  const running = i.busy === null ? '-' : `${describeBusy(i.busy)}${i.waiting ? ', waiting for input' : ''}`;
  const lines = [`session: ${i.name}`, `state: ${i.state}`, `pid: ${i.pid ?? '-'}`, `cwd: ${i.cwd ?? '-'}`, `running: ${running}`, `queued: ${i.queued}`];
  const sandbox = session.sandbox?.summary();
  if (sandbox !== undefined) lines.push(`sandbox: ${describeSandbox(sandbox)}`);
  return `${lines.join('\n')}\n`;
}

// Characters of a command `#!jobs` shows: enough for a typical one-liner with a path or two.
const JOBS_COMMAND_CHARS = 100;

// How a job's state reads in listings: waiting means waiting for input.
export function stateWord(job: Job): string {
  return job.state === 'input' ? 'waiting' : job.state;
}

// `#!jobs`: the session's recent jobs, newest last.
export function jobsText(session: Session): string {
  const rows = session.jobs.list().map((j) => [
    String(j.id),
    stateWord(j),
    j.status === null ? '-' : String(j.status),
    (j.startedAt ?? j.queuedAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    j.durationMs() === null ? '-' : `${formatSeconds(j.durationMs() as number)}s`,
    String(j.head),
    j.spec.origin === 'terminal' ? listedCommand(j) : preview(j.command, JOBS_COMMAND_CHARS),
  ]);
  const header = ['JOB', 'STATE', 'STATUS', 'STARTED', 'TIME', 'BYTES', 'COMMAND'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return `${all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ')).join('\n')}\n`;
}

// `#!screen`: the screen as a person sees it, then one line with the size, cursor and mode, and
// what runs (`program`: a program session's state, in words and trailer fields, instead of a job's).
export async function screenReply(reply: Reply, session: Session, program: { text: string; fields: TrailerFields } | null = null): Promise<Outcome> {
  const s = await session.audience.screenText();
  let last = s.rows.length - 1;
  while (last > s.cursor.row && (s.rows[last] ?? '') === '') last--;
  const body = s.rows.slice(0, last + 1).join('\n');
  reply.write(Buffer.from(`${body}\n`));
  const fg = session.foreground();
  const job = program !== null ? program.text : fg === null ? 'the shell is idle' : `job ${fg.id} ${fg.state === 'input' ? 'is waiting for input' : 'is running'}`;
  const mode = s.altScreen ? 'alternate screen (a full-screen program)' : 'normal screen';
  const { cols, rows } = session.audience.size;
  reply.notice(`screen ${cols}x${rows}, cursor at row ${s.cursor.row + 1} column ${s.cursor.col + 1}, ${mode}; ${job}`);
  return { status: 0, reason: 'exit', fields: { alt: s.altScreen ? 'on' : 'off', ...(fg === null ? {} : { job: String(fg.id) }), ...program?.fields } };
}

// `#!output N [FROM [TO]]`: a byte range of a job's output, exactly as its store holds it; with a
// `bound` (a reply without a trailer), its head and tail within `bound.limit` bytes.
export function outputReply(reply: Reply, job: Job, from: number | null, to: number | null, bound: { limit: number; more: string; session: string } | null = null): Outcome {
  const end = Math.min(to ?? job.head, job.head);
  let pos = from ?? 0;
  if (pos < job.tail && pos < end) {
    reply.notice(`bytes ${pos} to ${Math.min(job.tail, end)} of job ${job.id}'s output are no longer kept`);
    pos = job.tail;
  }
  if (bound === null) writeRange(reply, job, pos, end);
  else writeHeadTail(reply, bound.session, job, pos, end, bound.limit, bound.more);
  return { status: 0, reason: 'exit', fields: { job: String(job.id), bytes: String(job.head) } };
}

// `#!kill [N]`: stops the foreground job (or removes a queued one) and keeps the shell. With
// `owed` (a client without a trailer; MCP's kill asks `#!wait` itself), the reply first carries
// the job's output that no reply delivered, within `owed.limit` bytes (the last lines before a
// stop, a traceback or a server's last requests, fit REPLY_BYTES; a flood is cut to head and tail).
export async function killReply(reply: Reply, session: Session, id: number | null, owed: { limit: number; more: string } | null = null): Promise<Outcome> {
  const job = id === null ? session.foreground() : session.jobs.get(id);
  const fail = (msg: string): Outcome => relayError(reply, msg);
  // In a sandbox a bare `#!kill` also ends what the jobs left behind (a fork bomb's processes).
  const sweep = async (): Promise<number> => {
    if (id !== null || session.sandbox === undefined) return 0;
    for (const hit of session.capHits()) reply.notice(hit);
    const n = await session.killStrays();
    if (n > 0) reply.notice(`ended ${n} other process${n === 1 ? '' : 'es'} in the sandbox of session "${session.name}"; the shell is kept`);
    return n;
  };
  if ((job === null || job === undefined) && (await sweep()) > 0) return { status: 0, reason: 'exit', fields: {} };
  if (job === null || job === undefined) return fail(id === null ? `nothing is running in session "${session.name}"` : `no job ${id} in session "${session.name}" (see #!jobs)`);
  if (job.state === 'queued' && session.cancel(job)) {
    reply.notice(`job ${job.id} was still queued; it was removed and will not run`);
    return { status: 0, reason: 'exit', fields: { job: String(job.id) } };
  }
  if (!job.live) {
    const more = job.delivered < job.head ? `; output no reply delivered: #!wait ${job.id}` : job.head > 0 ? `; its output: #!output ${job.id}` : '';
    job.endTold = true;
    return fail(`nothing to stop: ${endedSummary(session.name, job)}${more}${sessionNote(session.name)}`);
  }
  // This reply tells how the job ends (a request queued behind it need not: waited-for.ts).
  job.endTold = true;
  const r = await session.stop(job);
  if (!r.stopped) {
    job.endTold = false;
    const how = r.signal === 'SIGINT' ? 'SIGINT (it runs in the shell itself, which SIGTERM and SIGKILL would end)' : 'SIGINT, SIGTERM and SIGKILL';
    return fail(`job ${job.id} did not stop after ${how}; look at it with #!screen`);
  }
  const from = job.delivered;
  if (owed !== null) {
    sayRepeat(reply, job, Math.max(from, job.tail));
    writeHeadTail(reply, session.name, job, Math.max(from, job.tail), contentEnd(job, from), owed.limit, owed.more);
  }
  const reached = owed === null ? from : job.head;
  reply.notice(`job ${job.id} stopped by ${r.signal ?? 'itself'} (exit status ${job.status ?? 'unknown'}); the shell and its state are kept`);
  await sweep();
  const commit = (): void => {
    if (from <= job.delivered) job.delivered = Math.max(job.delivered, reached);
  };
  const lost = (): void => void (job.offered = Math.max(job.offered, reached));
  return { status: job.status ?? 0, reason: 'exit', fields: { job: String(job.id), bytes: String(job.head) }, ...(owed === null ? {} : { commit, lost }) };
}

// Where a stopped job's output ends once the blank lines an interrupted program (or the shell,
// after SIGINT) leaves behind are cut off: they are not worth a kill reply's bytes.
function contentEnd(job: Job, from: number): number {
  const start = Math.max(from, job.tail, job.head - 64);
  const r = job.read(start, job.head - start);
  if (r.kind !== 'data') return job.head;
  const text = r.data.toString('latin1');
  const last = text.search(/\s*$/);
  if (last === 0) return start === from ? from : job.head;
  const nl = text.indexOf('\n', last);
  return start + (nl === -1 ? text.length : nl + 1);
}
