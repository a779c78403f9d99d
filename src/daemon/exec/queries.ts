// Requests that look at a session rather than run a command: `#!status`, `#!jobs`, `#!screen`,
// `#!output`, and `#!kill`. None of them queues behind the job it is about.
import { preview, type Job } from '../jobs/job';
import { listedCommand } from '../jobs/typed-command';
import type { Session } from '../session/session';
import { describeSandbox } from '../../protocol/sandbox-info';
import { describeBusy, formatSeconds } from './hints';
import { relayError, writeRange, type Outcome } from './job-reply';
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

// `#!screen`: the screen as a person sees it, then one line with the size, cursor and mode.
export async function screenReply(reply: Reply, session: Session): Promise<Outcome> {
  const s = await session.audience.screenText();
  let last = s.rows.length - 1;
  while (last > s.cursor.row && (s.rows[last] ?? '') === '') last--;
  const body = s.rows.slice(0, last + 1).join('\n');
  reply.write(Buffer.from(`${body}\n`));
  const fg = session.foreground();
  const job = fg === null ? 'the shell is idle' : `job ${fg.id} ${fg.state === 'input' ? 'is waiting for input' : 'is running'}`;
  const mode = s.altScreen ? 'alternate screen (a full-screen program)' : 'normal screen';
  const { cols, rows } = session.audience.size;
  reply.notice(`screen ${cols}x${rows}, cursor at row ${s.cursor.row + 1} column ${s.cursor.col + 1}, ${mode}; ${job}`);
  return { status: 0, reason: 'exit', fields: { alt: s.altScreen ? 'on' : 'off', ...(fg === null ? {} : { job: String(fg.id) }) } };
}

// `#!output N [FROM [TO]]`: a byte range of a job's output, exactly as its store holds it.
export function outputReply(reply: Reply, job: Job, from: number | null, to: number | null): Outcome {
  const end = Math.min(to ?? job.head, job.head);
  let pos = from ?? 0;
  if (pos < job.tail && pos < end) {
    reply.notice(`bytes ${pos} to ${Math.min(job.tail, end)} of job ${job.id}'s output are no longer kept`);
    pos = job.tail;
  }
  writeRange(reply, job, pos, end);
  return { status: 0, reason: 'exit', fields: { job: String(job.id), bytes: String(job.head) } };
}

// `#!kill [N]`: stops the foreground job (or removes a queued one) and keeps the shell.
export async function killReply(reply: Reply, session: Session, id: number | null): Promise<Outcome> {
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
  if (!job.live) return fail(`job ${job.id} is not running (${stateWord(job)}${job.status === null ? '' : `, exit status ${job.status}`})`);
  const r = await session.stop(job);
  if (!r.stopped) {
    const how = r.signal === 'SIGINT' ? 'SIGINT (it runs in the shell itself, which SIGTERM and SIGKILL would end)' : 'SIGINT, SIGTERM and SIGKILL';
    return fail(`job ${job.id} did not stop after ${how}; look at it with #!screen`);
  }
  reply.notice(`job ${job.id} stopped by ${r.signal ?? 'itself'} (exit status ${job.status ?? 'unknown'}); the shell and its state are kept`);
  await sweep();
  return { status: job.status ?? 0, reason: 'exit', fields: { job: String(job.id), bytes: String(job.head) } };
}
