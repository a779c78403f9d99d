// The tools that speak exec text: each builds directive lines (plus shell text for `run`), sends
// them with a trailer token, and turns the reply into a result.
//
//   tool    directives sent (besides `#!trailer TOKEN` and, with a secret, `#!auth SECRET`)
//   run     [#!session S] [#!sandbox P] #!timeout T #!nowait [#!interactive] #!limit L   + the command text
//   wait    [#!session S] #!nocreate #!timeout T #!wait [N] #!limit L
//   send    [#!session S] #!nocreate #!timeout T #!send TEXT #!limit L     TEXT C-escaped
//   screen  [#!session S] #!nocreate #!screen
//   kill    [#!session S] #!nocreate #!kill [N], then … #!wait N (the output it had not shown)
//   jobs    [#!session S] #!nocreate #!jobs
//   output  [#!session S] #!nocreate #!output N [FROM [TO]] #!limit L
// `#!nowait`: a busy session refuses `run` at once, saying what its job does, rather than queue
// it silently until the call's time is up. `#!nocreate`: only `run` starts a session.
// `#!sandbox P`: a session `run` starts is made in sandbox profile P (an existing one must be).
import { encodeSendText } from '../protocol/exec-text';
import { DEFAULT_SESSION } from '../protocol/session-name';
import type { ExecReply, Relay } from './relay';
import { execResult, type ReplyContext, type ToolResult } from './reply';
import { DEFAULT_LIMIT_BYTES, DEFAULT_TIMEOUT_S, type Args, type Shapes } from './schemas';
import { defineTool, seconds, type ToolDef, type ToolName } from './tool';
import { DEFAULT_JOBS, jobsResult, outputResult, screenResult } from './views';
import { relayLinesWorded } from './wording';

// What one exchange sends besides `#!session`: its directives, shell text (`run` only) and the
// #!limit (null: not sent; the reply is bounded by DEFAULT_LIMIT_BYTES here).
export interface Ask {
  directives: string[];
  script?: string;
  limit: number | null;
}

export interface Call extends Ask {
  target: string | undefined;
  session: string | undefined;
}

// Runs one exchange on the call's target.
export async function exchange(relay: Relay, c: Call, signal: AbortSignal): Promise<{ ctx: ReplyContext; reply: ExecReply }> {
  const t = relay.target(c.target);
  const head = [...(c.session !== undefined ? [`#!session ${c.session}`] : []), ...c.directives];
  const reply = await relay.exec(t, head, c.script ?? '', c.limit, signal);
  const targetArg = t.name === relay.defaultName ? {} : { targetArg: t.name };
  return { ctx: { target: t.name, session: c.session ?? DEFAULT_SESSION, omittedBytes: reply.omittedBytes, ...targetArg }, reply };
}

// A tool of one exchange: `ask` turns its arguments into what is sent, `result` the reply into the
// tool's own result (a job's, the screen, the job table, a byte range of output).
interface ExchangeTool<K extends ToolName> extends Omit<ToolDef<K>, 'run'> {
  ask(a: Args<K>): Ask;
  result(ctx: ReplyContext, reply: ExecReply, a: Args<K>): ToolResult;
}

function exchangeTool<K extends ToolName>(relay: Relay, def: ExchangeTool<K>): ToolDef<K> {
  const { ask, result, ...tool } = def;
  return defineTool({
    ...tool,
    run: async (a, signal) => {
      const { target, session } = a as { target?: string; session?: string };
      const { ctx, reply } = await exchange(relay, { target, session, ...ask(a) }, signal);
      return result(ctx, reply, a);
    },
  });
}

// A reply about a job, worded as a job result.
const jobResult = (ctx: ReplyContext, reply: ExecReply): ToolResult => execResult(ctx, reply.trailer, reply.output);

// `kill`: stops the job, then fetches what it printed that no result has shown (a traceback, a
// server's last lines), with its exit status.
async function kill(relay: Relay, a: { target?: string; session?: string; job?: number }, signal: AbortSignal): Promise<ToolResult> {
  const k = await exchange(relay, { target: a.target, session: a.session, directives: ['#!nocreate', a.job !== undefined ? `#!kill ${a.job}` : '#!kill'], limit: null }, signal);
  const job = k.reply.trailer?.fields.job;
  if (k.reply.trailer?.reason !== 'exit' || job === undefined) return execResult(k.ctx, k.reply.trailer, k.reply.output);
  const by = /stopped by (\S+)/.exec(k.reply.output)?.[1];
  const w = await exchange(relay, { target: a.target, session: a.session, directives: ['#!nocreate', '#!timeout 5', `#!wait ${job}`], limit: DEFAULT_LIMIT_BYTES }, signal);
  const r = execResult({ ...w.ctx, tool: 'kill' }, w.reply.trailer, w.reply.output);
  const first = r.content[0];
  if (first !== undefined && by !== undefined && by !== 'itself') first.text = first.text.replace(/ stopped: exit status/, ` stopped by ${by}: exit status`);
  // Only the bracketed line: the job printed nothing that no result showed.
  if (first !== undefined && first.text.startsWith('[')) first.text = `(no output since the last result)\n${first.text}`;
  // The stop's other notices (in a sandbox: the caps hit, the processes ended) come first.
  const notes = k.reply.output.split('\n').filter((l) => l.startsWith('pty-relay: ') && !/^pty-relay: job \d+ stopped by /.test(l));
  if (first !== undefined && notes.length > 0) first.text = `${relayLinesWorded(`${notes.join('\n')}\n`, { session: k.ctx.session, ...(k.ctx.targetArg !== undefined ? { target: k.ctx.targetArg } : {}) })}${first.text}`;
  return r;
}

const timeoutLine = (t: number | undefined): string => `#!timeout ${seconds(t ?? DEFAULT_TIMEOUT_S)}`;

// The exec tools, bound to a relay.
export function execTools(relay: Relay, shapes: Shapes): ToolDef[] {
  const tools = [
    exchangeTool(relay, {
      name: 'run',
      title: 'Run a shell command',
      description:
        `Run bash text in a persistent shell (cwd, env, functions persist); returns its output and exit status, or after timeout (default ${DEFAULT_TIMEOUT_S} s) "running" as a job (not stopped), ` +
        '"waiting-for-input" at a prompt, or "busy" if the session runs a job. The last line names the next calls.',
      input: shapes.run,
      hints: { destructiveHint: true, openWorldHint: true },
      ask: (a) => ({
        directives: [...(a.sandbox !== undefined ? [`#!sandbox ${a.sandbox}`] : []), timeoutLine(a.timeout), '#!nowait', ...(a.interactive === true ? ['#!interactive'] : [])],
        script: a.command,
        limit: a.limit ?? DEFAULT_LIMIT_BYTES,
      }),
      result: jobResult,
    }),
    exchangeTool(relay, {
      name: 'wait',
      title: 'Wait for a running job',
      description: "A job's output not yet shown, then how it ended (or \"running\" again after timeout).",
      input: shapes.wait,
      hints: { readOnlyHint: true, openWorldHint: true },
      ask: (a) => ({ directives: ['#!nocreate', timeoutLine(a.timeout), a.job !== undefined ? `#!wait ${a.job}` : '#!wait'], limit: a.limit ?? DEFAULT_LIMIT_BYTES }),
      result: jobResult,
    }),
    exchangeTool(relay, {
      name: 'send',
      title: 'Type into the terminal',
      description: "Type into the session's foreground program (prompt, REPL, vim, less); returns the job's output not yet shown, then its response (a full-screen program: the rows around the cursor, marked \">\") and the job's state.",
      input: shapes.send,
      hints: { destructiveHint: true, openWorldHint: true },
      ask: (a) => ({ directives: ['#!nocreate', timeoutLine(a.timeout), `#!send ${encodeSendText(a.text)}`], limit: DEFAULT_LIMIT_BYTES }),
      result: (ctx, reply) => jobResult({ ...ctx, tool: 'send' }, reply),
    }),
    exchangeTool(relay, {
      name: 'screen',
      title: "Look at a session's screen",
      description: "The session's terminal screen as text, the cursor, and what runs.",
      input: shapes.screen,
      hints: { readOnlyHint: true, openWorldHint: true },
      ask: () => ({ directives: ['#!nocreate', '#!screen'], limit: null }),
      result: screenResult,
    }),
    defineTool({
      name: 'kill',
      title: 'Stop a job',
      description: 'Stop a job (Ctrl-C, SIGTERM, SIGKILL until the prompt is back); returns its unseen output and exit status.',
      input: shapes.kill,
      hints: { destructiveHint: true, openWorldHint: true },
      run: (a, signal) => kill(relay, a, signal),
    }),
    exchangeTool(relay, {
      name: 'jobs',
      title: "List a session's jobs",
      description: "The session's recent jobs, newest last.",
      input: shapes.jobs,
      hints: { readOnlyHint: true, openWorldHint: true },
      ask: () => ({ directives: ['#!nocreate', '#!jobs'], limit: null }),
      result: (ctx, reply, a) => jobsResult(ctx, reply, a.limit ?? DEFAULT_JOBS),
    }),
    exchangeTool(relay, {
      name: 'output',
      title: "Fetch part of a job's output",
      description: "Bytes from (default 0) to (default the end) of a job's output.",
      input: shapes.output,
      hints: { readOnlyHint: true, openWorldHint: true },
      ask: (a) => {
        const range = a.to !== undefined ? ` ${a.from ?? 0} ${a.to}` : a.from !== undefined ? ` ${a.from}` : '';
        return { directives: ['#!nocreate', `#!output ${a.job}${range}`], limit: a.limit ?? DEFAULT_LIMIT_BYTES };
      },
      result: (ctx, reply, a) => outputResult(ctx, reply, a.job, a.from, a.to),
    }),
  ];
  return tools as unknown as ToolDef[];
}
