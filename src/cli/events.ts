// `pty-relay events` (the live event stream, one line per event) and `pty-relay notify` (desktop
// notifications from it), both through the tunnel like every client command. `-s` names the
// session here, as in `exec`; the host is `--host`.
import type { Command } from 'commander';
import { streamEvents } from '../client/event-stream';
import { noteFor } from '../client/notify/message';
import { Notifier, type NotifierKind } from '../client/notify/notifier';
import { RelayError } from '../errors';
import { describeEvent, parseEventFilter, type EventFilter, type RelayEvent } from '../protocol/events';
import { validateSessionName } from '../protocol/session-name';
import { clientConnection, connectOptions } from './client';
import * as cfg from './config';

type StreamOpts = { session?: string; filter?: string; host: string; port: number; socket?: string; secretFile?: string };

function filterOf(spec: string | undefined): EventFilter {
  if (spec === undefined) return () => true;
  const f = parseEventFilter(spec);
  if (typeof f === 'string') throw new RelayError('PR_ERR_USAGE', f);
  return f;
}

function sessionOf(o: StreamOpts): string | null {
  if (o.session === undefined) return null;
  const err = validateSessionName(o.session);
  if (err !== null) throw new RelayError('PR_ERR_USAGE', err);
  return o.session;
}

function run(o: StreamOpts, reconnect: boolean, onEvent: (e: RelayEvent) => void): Promise<never> {
  const wanted = filterOf(o.filter);
  const status = (line: string): boolean => process.stderr.write(`pty-relay: ${line}\n`);
  return streamEvents({ ...clientConnection(o), session: sessionOf(o), heartbeatMs: cfg.heartbeatMs(), reconnect, status, onEvent: (e) => wanted(e) && onEvent(e) });
}

// Registers `events` and `notify` on `program`.
export function addEventCommands(program: Command): void {
  connectOptions(program.command('events'), { hostShort: false })
    .description("print the daemon's events as they happen, one a line: jobs, input waits, bells, sessions, clients (README \"Events and notifications\")")
    .option('--json', 'one JSON object a line, with stable field names')
    .option('-s, --session <name>', 'only this session\'s events (default: every session)')
    .option('--filter <list>', 'only these: input, failed, finished, finished-after=SECONDS, bell, session, client, or event types')
    .action(async (o: StreamOpts & { json?: boolean }) => {
      await run(o, false, (e) => process.stdout.write(o.json === true ? `${JSON.stringify(e)}\n` : `${e.time} ${describeEvent(e)}\n`));
    });

  connectOptions(program.command('notify'), { hostShort: false })
    .description('desktop notifications when a session waits for input, a job fails, or a long job finishes; reconnects by itself')
    .option('-s, --session <name>', 'only this session (default: every session)')
    .option('--filter <list>', 'which events notify (see `pty-relay events --help`)', cfg.DEFAULT_HOOK_FILTER)
    .option('--osc', 'notify through this terminal (OSC 9 and OSC 777 escapes) instead of notify-send/osascript')
    .option('--command <cmd>', 'run CMD (via /bin/sh -c) with the title and body as $1 and $2 and the event as JSON on stdin')
    .action(async (o: StreamOpts & { osc?: boolean; command?: string }) => {
      if (o.osc === true && o.command !== undefined) throw new RelayError('PR_ERR_USAGE', '--osc and --command both choose the notifier: pick one');
      const how: NotifierKind = o.osc === true ? { kind: 'osc', out: process.stdout } : o.command !== undefined ? { kind: 'command', command: o.command } : { kind: 'native', platform: process.platform };
      const notifier = new Notifier(how, (line) => process.stderr.write(`pty-relay notify: ${line}\n`));
      await run(o, true, (e) => notifier.show(noteFor(e), e));
    });
}
