// The tools that speak the framed control protocol (the `pty-relay ls | new | kill` requests):
// list sessions, start a session that runs a program, end a session.
import { sessionTable } from '../client/session-table';
import { describeSandbox } from '../protocol/sandbox-info';
import type { Relay } from './relay';
import { endSessionOutput, newSessionOutput, sessionsOutput, type SessionSummaryOut, type Shapes } from './schemas';
import { defineTool, type ToolDef } from './tool';

// Terminal size for new_session when none is given: the daemon's own default for shells.
const DEFAULT_COLS = 200;
const DEFAULT_ROWS = 50;

// The session tools, bound to a relay.
export function sessionTools(relay: Relay, shapes: Shapes): ToolDef[] {
  const tools = [
    defineTool({
      name: 'sessions',
      title: 'List sessions',
      description:
        'List the sessions on a server (shells made by run, programs by new_session) and the configured servers (targets).',
      input: shapes.sessions,
      output: sessionsOutput,
      hints: { readOnlyHint: true, openWorldHint: true },
      run: async (a) => {
        const t = relay.target(a.target);
        const reply = await relay.control(t, { op: 'ls' });
        const sessions: SessionSummaryOut[] = (reply.sessions ?? []).map((s) => ({
          name: s.name, pid: s.pid, command: s.command, state: s.state, clients: s.clients, createdAt: s.createdAt, idleMs: s.idleMs, bytes: s.bytes,
          ...(s.sandbox === undefined ? {} : { sandbox: describeSandbox(s.sandbox) }),
        }));
        const targets = relay.targets.map((x) => x.name);
        const list = sessions.length === 0 ? 'no sessions yet (`run` starts the "default" one)\n' : sessionTable(reply.sessions ?? []);
        const text = `target "${t.name}"${targets.length > 1 ? ` (configured: ${targets.join(', ')})` : ''}\n${list}`;
        return { content: [{ type: 'text', text }], structuredContent: { target: t.name, targets, sessions } };
      },
    }),
    defineTool({
      name: 'new_session',
      title: 'Start a program in a new session',
      description:
        'Start a session running one program (a REPL, a TUI, a server; drive it with screen and send), or with no command a shell. Shells need no starting: run with a new session name (and a sandbox, if wanted).',
      input: shapes.new_session,
      output: newSessionOutput,
      hints: { destructiveHint: false, openWorldHint: true },
      run: async (a) => {
        const t = relay.target(a.target);
        const command = a.command ?? [];
        const reply = await relay.control(t, { op: 'new', session: a.name, command, cols: a.cols ?? DEFAULT_COLS, rows: a.rows ?? DEFAULT_ROWS, ...(a.sandbox === undefined ? {} : { sandbox: a.sandbox }) });
        const pid = reply.pid ?? null;
        const what = command.length === 0 ? 'a shell (use it with run and this session name)' : command.join(' ');
        const text = `session "${a.name}" started on target "${t.name}" (pid ${pid ?? '?'})${a.sandbox === undefined ? '' : ` in sandbox profile "${a.sandbox}"`}: ${what}`;
        return { content: [{ type: 'text', text }], structuredContent: { target: t.name, session: a.name, pid, ...(a.sandbox === undefined ? {} : { sandbox: a.sandbox }) } };
      },
    }),
    defineTool({
      name: 'end_session',
      title: 'End a session',
      description:
        'End a session and its shell or program (SIGHUP, then SIGKILL after 3 s), with its jobs and state.',
      input: shapes.end_session,
      output: endSessionOutput,
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
