// The tools that speak exec text: each builds directive lines (plus shell text for `run`), sends
// them with a trailer token, and turns the reply into a result.
//
//   tool    directives sent (besides `#!trailer TOKEN` and, with a secret, `#!auth SECRET`)
//   run     [#!session S] #!timeout T [#!interactive] #!limit L   + the command text
//   wait    [#!session S] #!timeout T #!wait [N] #!limit L
//   send    [#!session S] #!timeout T #!send TEXT #!limit L       TEXT C-escaped (encodeSendText)
//   screen  [#!session S] #!screen
//   kill    [#!session S] #!kill [N]
//   jobs    [#!session S] #!jobs
//   output  [#!session S] #!output N [FROM [TO]] #!limit L
import { encodeSendText } from '../protocol/exec-text';
import { DEFAULT_SESSION } from '../protocol/session-name';
import type { Relay } from './relay';
import { execResult, type ToolResult } from './reply';
import { DEFAULT_LIMIT_BYTES, DEFAULT_TIMEOUT_S, execOutput, type Args, type Shapes } from './schemas';
import { defineTool, seconds, type ToolDef, type ToolHints } from './tool';

interface Call {
  target: string | undefined;
  session: string | undefined;
  directives: string[];
  script?: string;
  limit: number | null; // sent as #!limit; null: not sent (the reply is bounded by DEFAULT_LIMIT_BYTES here)
}

// Runs one exchange on the call's target and words the result.
async function call(relay: Relay, c: Call, signal: AbortSignal): Promise<ToolResult> {
  const t = relay.target(c.target);
  const head = [...(c.session !== undefined ? [`#!session ${c.session}`] : []), ...c.directives];
  const reply = await relay.exec(t, head, c.script ?? '', c.limit, signal);
  return execResult({ target: t.name, session: c.session ?? DEFAULT_SESSION, omittedBytes: reply.omittedBytes }, reply.trailer, reply.output);
}

const timeoutLine = (t: number | undefined): string => `#!timeout ${seconds(t ?? DEFAULT_TIMEOUT_S)}`;
const limitOr = (l: number | undefined): number => l ?? DEFAULT_LIMIT_BYTES;

type ExecToolName = 'run' | 'wait' | 'send' | 'screen' | 'kill' | 'jobs' | 'output';
type Where = { target?: string | undefined; session?: string | undefined };

// Where each exec tool's call goes (the compiler checks that every one's arguments name both).
const same = (a: Where): Where => a;
const whereOf: { [K in ExecToolName]: (a: Args<K>) => Where } = { run: same, wait: same, send: same, screen: same, kill: same, jobs: same, output: same };

// One exec tool: what it says to the model, and the exchange it makes from its arguments.
interface ExecToolSpec<K extends ExecToolName> {
  name: K;
  title: string;
  description: string;
  hints: ToolHints;
  // The directive lines after `#!session`.
  directives(a: Args<K>): string[];
  // The #!limit sent (absent: none); the reply is bounded by DEFAULT_LIMIT_BYTES here either way.
  limit?(a: Args<K>): number;
  // Shell text after the directives (`run` only).
  script?(a: Args<K>): string;
}

// Every exec tool has the same shape: its input schema, the exec output schema, and one exchange
// on the target and session its arguments name.
function execTool<K extends ExecToolName>(relay: Relay, shapes: Shapes, spec: ExecToolSpec<K>): ToolDef<K> {
  return defineTool<K>({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: shapes[spec.name],
    output: execOutput,
    hints: spec.hints,
    run: (a, signal) => {
      const where = whereOf[spec.name](a);
      return call(relay, { target: where.target, session: where.session, directives: spec.directives(a), script: spec.script?.(a), limit: spec.limit?.(a) ?? null }, signal);
    },
  });
}

// The exec tools, bound to a relay.
export function execTools(relay: Relay, shapes: Shapes): ToolDef[] {
  const tools = [
    execTool(relay, shapes, {
      name: 'run',
      title: 'Run a shell command',
      description:
        'Run shell text in a persistent bash session on the server and return its output and exit status. ' +
        'The shell persists between calls, like one long terminal: cd, export, functions and aliases carry over. ' +
        'Output is clean text (no colours; a progress bar shows its final state); long output keeps its head and tail. ' +
        `If the command is still going after \`timeout\` seconds (default ${DEFAULT_TIMEOUT_S}) it is NOT stopped: the result says "running" with a job number; ` +
        'call `wait` for the rest, `screen` to see it, `kill` to stop it. If it stops to read the terminal (a prompt, a password, vim) the result says "waiting-for-input" with the prompt: answer with `send`. ' +
        'Interactive programs (vim, less, top, REPLs) are fine: look with `screen`, type with `send`, end with `kill`. stdin is empty unless `interactive` is set.',
      hints: { destructiveHint: true, openWorldHint: true },
      directives: (a) => [timeoutLine(a.timeout), ...(a.interactive === true ? ['#!interactive'] : [])],
      script: (a) => a.command,
      limit: (a) => limitOr(a.limit),
    }),
    execTool(relay, shapes, {
      name: 'wait',
      title: 'Wait for a running job',
      description:
        'Wait for a job that `run` left running and return the output it printed since the last result, then how it ended. ' +
        'Returns "running" again if `timeout` passes first (call again to keep waiting). Without `job`, the session\'s most recent job.',
      hints: { readOnlyHint: true, openWorldHint: true },
      directives: (a) => [timeoutLine(a.timeout), a.job !== undefined ? `#!wait ${a.job}` : '#!wait'],
      limit: (a) => limitOr(a.limit),
    }),
    execTool(relay, shapes, {
      name: 'send',
      title: 'Type into the terminal',
      description:
        'Type text into the program in the foreground of a session (a prompt, a password, a REPL, vim, a pager) and return what it printed in response, ' +
        'then the job\'s state. Use it when a result says "waiting-for-input", or with a program started by `run` with `interactive`. ' +
        'The text is typed exactly as given: end it with "\\n" to press Enter.',
      hints: { destructiveHint: true, openWorldHint: true },
      directives: (a) => [timeoutLine(a.timeout), `#!send ${encodeSendText(a.text)}`],
      limit: () => DEFAULT_LIMIT_BYTES,
    }),
    execTool(relay, shapes, {
      name: 'screen',
      title: "Look at a session's screen",
      description:
        "Show a session's terminal screen as plain text, as a person would see it: its rows, the cursor position, and whether a full-screen program uses the alternate screen. " +
        'Use it to see what vim, less, top, a REPL, an installer or a waiting job shows right now.',
      hints: { readOnlyHint: true, openWorldHint: true },
      directives: () => ['#!screen'],
    }),
    execTool(relay, shapes, {
      name: 'kill',
      title: 'Stop a job',
      description:
        "Stop the job in a session's foreground (Ctrl-C, then SIGTERM, then SIGKILL, until the shell's prompt is back) and keep the shell with its cwd and environment. " +
        'Works on vim, less, REPLs and hung commands; says which signal worked.',
      hints: { destructiveHint: true, openWorldHint: true },
      directives: (a) => [a.job !== undefined ? `#!kill ${a.job}` : '#!kill'],
    }),
    execTool(relay, shapes, {
      name: 'jobs',
      title: "List a session's jobs",
      description:
        "List a session's recent jobs, newest last: number, state (running, waiting for input, done, killed), exit status, start time, duration, output size and the command's first line. " +
        "It is also the session's command history.",
      hints: { readOnlyHint: true, openWorldHint: true },
      directives: () => ['#!jobs'],
    }),
    execTool(relay, shapes, {
      name: 'output',
      title: "Fetch part of a job's output",
      description:
        "Fetch a byte range of a job's full output (clean text). Use it when a result left bytes out: it names the job and the offsets " +
        '(as `#!output N FROM TO`). `from` is the first byte, `to` the byte to stop before; both optional.',
      hints: { readOnlyHint: true, openWorldHint: true },
      directives: (a) => [`#!output ${a.job}${a.to !== undefined ? ` ${a.from ?? 0} ${a.to}` : a.from !== undefined ? ` ${a.from}` : ''}`],
      limit: (a) => limitOr(a.limit),
    }),
  ];
  return tools as unknown as ToolDef[];
}
