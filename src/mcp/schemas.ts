// The tools' input and output schemas, with descriptions written for a model. The only module
// that imports zod (the SDK's schema language).
import { z } from 'zod';
import { SESSION_NAME_RE } from '../protocol/session-name';
import { JOB_STATES } from './reply';

// A request's wait, in seconds: long enough for most commands, and well inside the 60 s that MCP
// clients commonly allow one call (the SDK's default request timeout) before they give up on it.
export const DEFAULT_TIMEOUT_S = 30;
// The longest a call may wait; hosts that allow long calls can use it, others cut calls short.
export const MAX_TIMEOUT_S = 3600;
// Output kept in one reply (head and tail), about 8k tokens: Claude Code's own cap on a Bash
// result is 30,000 characters, and an agent can always fetch more with `output`.
export const DEFAULT_LIMIT_BYTES = 30_000;
export const MIN_LIMIT_BYTES = 1_000;
export const MAX_LIMIT_BYTES = 10_000_000;

// The parameters every tool shares; `targets` are the configured names, the first the default.
function common(targets: readonly [string, ...string[]]) {
  const others = targets.length > 1 ? `: ${targets.join(', ')}` : '';
  return {
    target: z.enum(targets).optional().describe(`Which server (pty-relay daemon) to use${others}. Default: ${targets[0]}.`),
    session: z.string().regex(SESSION_NAME_RE).optional()
      .describe('Session name (default "default"). Each session is its own persistent shell; use one per task or for parallel work. A new name starts a new shell.'),
  };
}

const timeout = z.number().positive().max(MAX_TIMEOUT_S).optional()
  .describe(`Seconds to wait before returning (default ${DEFAULT_TIMEOUT_S}). The command is never stopped by this: when it runs longer, the result says "running" and \`wait\` picks it up.`);
const limit = z.number().int().min(MIN_LIMIT_BYTES).max(MAX_LIMIT_BYTES).optional()
  .describe(`Most bytes of output to return (default ${DEFAULT_LIMIT_BYTES}); longer output keeps its head and tail, and the rest can be fetched with \`output\`.`);
const job = z.number().int().positive();
const sandbox = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).optional();

// Input shapes, per tool.
export function inputShapes(targets: readonly [string, ...string[]]) {
  const c = common(targets);
  return {
    run: {
      command: z.string().min(1).describe('Shell text for bash: one command or a whole script (pipes, heredocs, many lines). cd, export, functions and aliases persist in the session.'),
      ...c,
      timeout,
      interactive: z.boolean().optional().describe('Give the command the terminal as its stdin (for a REPL or a program that reads stdin, driven with `send`). Default: stdin is empty (/dev/null).'),
      limit,
      sandbox: sandbox.describe('Make a NEW session a sandboxed one: no network, read-only files except its project directory and a private /tmp, capped memory, CPU and processes. The daemon\'s profile of this name ("default" is built in). Only takes effect when the session is created; asking for it on an existing session that runs otherwise is an error.'),
    },
    wait: { job: job.optional().describe("The job's number (from a `running` result). Default: the session's most recent job."), ...c, timeout, limit },
    send: {
      text: z.string().min(1).describe('The keys to type, exactly. End with "\\n" to press Enter. Control keys are characters: "\\u0003" Ctrl-C, "\\u0004" Ctrl-D, "\\u001b" Escape (so "\\u001b:wq\\n" saves and quits vim).'),
      ...c,
      timeout: z.number().positive().max(MAX_TIMEOUT_S).optional().describe(`Most seconds to wait for the response (default ${DEFAULT_TIMEOUT_S}); it returns once the output has been quiet for a moment.`),
    },
    screen: { ...c },
    kill: { job: job.optional().describe('The job to stop. Default: whatever runs in the foreground.'), ...c },
    jobs: { ...c },
    output: {
      job: job.describe("The job's number."),
      from: z.number().int().min(0).optional().describe('First byte offset (default 0).'),
      to: z.number().int().min(0).optional().describe('Byte offset to stop before (default: the end).'),
      ...c,
      limit,
    },
    sessions: { target: c.target },
    new_session: {
      name: z.string().regex(SESSION_NAME_RE).describe('Name for the new session.'),
      command: z.array(z.string()).min(1).optional().describe('The program and its arguments, e.g. ["python3", "-q"] or ["htop"]. Omitted: a shell session that `run` can use (with `sandbox`, a sandboxed shell).'),
      sandbox: sandbox.describe('Run the session in the daemon\'s sandbox profile of this name ("default" is built in): no network, read-only files except its project directory, capped memory, CPU and processes.'),
      cols: z.number().int().min(10).max(1000).optional().describe('Terminal width (default 200).'),
      rows: z.number().int().min(5).max(1000).optional().describe('Terminal height (default 50).'),
      target: c.target,
    },
    end_session: { name: z.string().regex(SESSION_NAME_RE).describe('The session to end.'), target: c.target },
  };
}

// The structured result of run, wait, send, screen, kill, jobs and output.
export const execOutput = {
  target: z.string().describe('The server that answered.'),
  session: z.string().describe('The session it ran in.'),
  state: z.enum(JOB_STATES).describe('done: the command ended (see exitStatus). running: still running as `job` (wait, screen, send, kill). waiting-for-input: the job is blocked reading its terminal (see prompt; answer with send). timed-out: the relay gave up waiting (older daemons). shell-exited: the shell itself ended.'),
  status: z.number().int().describe('Exit status; 124 while running or waiting for input.'),
  exitStatus: z.number().int().optional().describe("The command's exit status, when it ended."),
  job: z.number().int().optional().describe("The job's number, for wait, kill and output."),
  cwd: z.string().optional().describe("The shell's working directory afterwards."),
  prompt: z.string().optional().describe('The last line on the screen while waiting for input.'),
  echo: z.boolean().optional().describe('Whether typed input is echoed; false at a password prompt.'),
  output: z.string().describe('What the command printed, as clean text.'),
  omittedBytes: z.number().int().optional().describe('Bytes this MCP server left out of `output` (a daemon that does not bound replies).'),
};

const sessionSummary = z.object({
  sandbox: z.string().optional().describe('the sandbox: profile, network, and each cap with what enforces it'),
  name: z.string(),
  pid: z.number().int().nullable(),
  command: z.string().describe('"shell" or the program of a new_session'),
  state: z.string(),
  clients: z.number().int().describe('attached pty-client / browser viewers'),
  createdAt: z.string(),
  idleMs: z.number(),
  bytes: z.number().describe('output produced since the session started'),
});

export const sessionsOutput = {
  target: z.string(),
  targets: z.array(z.string()).describe('Every configured server name.'),
  sessions: z.array(sessionSummary),
};

export const newSessionOutput = { target: z.string(), session: z.string(), pid: z.number().int().nullable() };
export const endSessionOutput = { target: z.string(), session: z.string(), ended: z.boolean() };

export type Shapes = ReturnType<typeof inputShapes>;
// The validated arguments each tool's handler receives.
export type Args<K extends keyof Shapes> = z.infer<z.ZodObject<Shapes[K]>>;
export type SessionSummaryOut = z.infer<typeof sessionSummary>;
