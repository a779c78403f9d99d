// `pty-relay wait | jobs | send | screen | kill-job | output`: the jobs directives as commands, for
// scripts and agents that prefer a program to nc. Each exits with the job's status where there is
// one, 124 while the job still runs or waits for input, and 255 for relay errors.
import type { Command } from 'commander';
import { runExec } from '../client/exec';
import { RelayError } from '../errors';
import { validateSessionName } from '../protocol/session-name';
import { clientConnection, connectOptions } from './client';
import { parseSeconds } from './config';

type JobOpts = { session?: string; timeout?: number; host: string; port: number; socket?: string; secretFile?: string };

function jobNumber(v: string): string {
  if (!/^[1-9]\d{0,9}$/.test(v)) throw new RelayError('PR_ERR_USAGE', `invalid job number "${v}"`);
  return v;
}

function offset(v: string): string {
  if (!/^\d{1,15}$/.test(v)) throw new RelayError('PR_ERR_USAGE', `invalid byte offset "${v}"`);
  return v;
}

// Adds the options every job command shares and runs `directive` when called.
function jobCommand(program: Command, name: string, description: string): Command {
  return connectOptions(program.command(name), { hostShort: false })
    .description(description)
    .option('-s, --session <name>', 'the session (default: "default")')
    .option('-t, --timeout <seconds>', 'give up waiting after this long; the job keeps running', parseSeconds);
}

async function send(o: JobOpts, directive: string): Promise<void> {
  if (o.session !== undefined) {
    const err = validateSessionName(o.session);
    if (err !== null) throw new RelayError('PR_ERR_USAGE', err);
  }
  process.exitCode = await runExec({ ...clientConnection(o), session: o.session, timeoutS: o.timeout, follow: directive.startsWith('#!wait'), directives: [directive], script: '', out: process.stdout, err: process.stderr });
}

// Registers the job commands on `program`.
export function addJobCommands(program: Command): void {
  jobCommand(program, 'wait', "stream a job's output that no reply delivered yet, then its status")
    .argument('[job]', 'job number (default: the most recent job)', jobNumber)
    .action((job: string | undefined, o: JobOpts) => send(o, job === undefined ? '#!wait' : `#!wait ${job}`));
  jobCommand(program, 'jobs', "list the session's recent jobs (its command history)").action((o: JobOpts) => send(o, '#!jobs'));
  jobCommand(program, 'send', 'type TEXT into the program in the foreground (C escapes: \\n \\r \\t \\e \\xHH \\\\)')
    .argument('<text>', 'what to type; \\r is Enter')
    .action((text: string, o: JobOpts) => send(o, `#!send ${text}`));
  jobCommand(program, 'screen', "print the session's screen as plain text").action((o: JobOpts) => send(o, '#!screen'));
  jobCommand(program, 'kill-job', 'stop the foreground job (SIGINT, SIGTERM, SIGKILL) and keep the shell')
    .argument('[job]', 'job number (default: the foreground job)', jobNumber)
    .action((job: string | undefined, o: JobOpts) => send(o, job === undefined ? '#!kill' : `#!kill ${job}`));
  jobCommand(program, 'output', "print bytes FROM..TO (exclusive) of a job's output")
    .argument('<job>', 'job number', jobNumber)
    .argument('[from]', 'first byte offset', offset)
    .argument('[to]', 'offset one past the last byte', offset)
    .action((job: string, from: string | undefined, to: string | undefined, o: JobOpts) => send(o, ['#!output', job, from, to].filter((x) => x !== undefined).join(' ')));
}
