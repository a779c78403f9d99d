// The tools that speak the framed control protocol (the `pty-relay ls | new | kill` requests):
// list sessions, start a session (a shell, and in it the program asked for, as a job), end a
// session.
//
// A program runs as an interactive job of a new shell rather than as the session's own program:
// the daemon answers `#!send`, `#!screen`, `#!wait` and `#!kill` about jobs of shells only, and
// this way the tools that drive a program (send, screen, wait, kill) all work on it, and its end
// is reported with its exit status.
import { sessionTable } from '../client/session-table';
import { DEFAULT_LIMIT_BYTES } from './schemas';
import type { Relay } from './relay';
import { execResult } from './reply';
import type { Shapes } from './schemas';
import { defineTool, type ToolDef } from './tool';
import { exchange } from './tools-exec';

// Terminal size for new_session when none is given: the daemon's own default for shells.
const DEFAULT_COLS = 200;
const DEFAULT_ROWS = 50;
// How long new_session waits for the program it starts: a REPL or an editor is seen waiting for
// input (which ends the wait) within about half a second, or a few on a loaded machine; a server
// is reported as running after this.
const START_WAIT_S = 10;

// Words as bash reads them back: plain ones as they are, others in single quotes.
export function shellWords(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_./=:,+@%-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

// The session tools, bound to a relay.
export function sessionTools(relay: Relay, shapes: Shapes): ToolDef[] {
  const tools = [
    defineTool({
      name: 'sessions',
      title: 'List sessions',
      description: 'The sessions on a server, and the configured targets.',
      input: shapes.sessions,
      hints: { readOnlyHint: true, openWorldHint: true },
      run: async (a) => {
        const t = relay.target(a.target);
        const reply = await relay.control(t, { op: 'ls' });
        const sessions = (reply.sessions ?? []).map((s) => s.name);
        const targets = relay.targets.map((x) => x.name);
        const list = sessions.length === 0 ? 'no sessions yet (`run` starts the "default" one)\n' : sessionTable(reply.sessions ?? []);
        const text = `target "${t.name}"${targets.length > 1 ? ` (configured: ${targets.join(', ')})` : ''}\n${list}`;
        return { content: [{ type: 'text', text }], structuredContent: { target: t.name, targets, sessions } };
      },
    }),
    defineTool({
      name: 'new_session',
      title: 'Start a program in a new session',
      description: 'Start a session: a shell, running the command (a REPL, editor, server) as its job if given; then use send, screen, wait, kill with this session. (run with a new session name also starts one.)',
      input: shapes.new_session,
      hints: { destructiveHint: false, openWorldHint: true },
      run: async (a, signal) => {
        const t = relay.target(a.target);
        const command = a.command ?? [];
        const reply = await relay.control(t, { op: 'new', session: a.name, command: [], cols: a.cols ?? DEFAULT_COLS, rows: a.rows ?? DEFAULT_ROWS, ...(a.sandbox === undefined ? {} : { sandbox: a.sandbox }) });
        const pid = reply.pid ?? null;
        const started = `session "${a.name}" started on target "${t.name}" (shell pid ${pid ?? '?'})${a.sandbox === undefined ? '' : ` in sandbox profile "${a.sandbox}"`}`;
        const facts = { target: t.name, session: a.name, pid, ...(a.sandbox === undefined ? {} : { sandbox: a.sandbox }) };
        if (command.length === 0) return { content: [{ type: 'text', text: `${started}: a shell (use it with run and this session name)` }], structuredContent: facts };
        const script = shellWords(command);
        const directives = ['#!nocreate', `#!timeout ${START_WAIT_S}`, '#!nowait', '#!interactive'];
        const { ctx, reply: r } = await exchange(relay, { target: a.target, session: a.name, directives, script, limit: DEFAULT_LIMIT_BYTES }, signal);
        const result = execResult(ctx, r.trailer, r.output);
        const first = result.content[0];
        if (first !== undefined) first.text = `${started}; \`${script}\` runs in it:\n${first.text}`;
        return { ...result, structuredContent: { ...facts, ...result.structuredContent } };
      },
    }),
    defineTool({
      name: 'end_session',
      title: 'End a session',
      description: 'End a session, its shell and jobs (SIGHUP, then SIGKILL after 3 s).',
      input: shapes.end_session,
      hints: { destructiveHint: true, idempotentHint: true, openWorldHint: true },
      run: async (a) => {
        const t = relay.target(a.target);
        await relay.control(t, { op: 'kill', session: a.name });
        return { content: [{ type: 'text', text: `session "${a.name}" ended on target "${t.name}"` }], structuredContent: { target: t.name, session: a.name, ended: true } };
      },
    }),
  ];
  return tools as unknown as ToolDef[];
}
