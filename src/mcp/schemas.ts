// The tools' input and output schemas, with descriptions written for a model. The only module
// that imports zod (the SDK's schema language). `tools/list` is paid for in every conversation
// that has this server, so descriptions are terse and say only what a model needs; fields whose
// names say what they are carry none.
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
  const others = targets.length > 1 ? ` (${targets.join(', ')})` : '';
  return {
    target: z.enum(targets).optional().describe(targets.length > 1 ? `Server${others}; default ${targets[0]}.` : 'Server.'),
    session: z.string().regex(SESSION_NAME_RE).optional().describe('Shell session; default "default". A new name in run starts a new shell.'),
  };
}

const timeout = z.number().positive().max(MAX_TIMEOUT_S).optional()
  .describe(`Seconds to wait (default ${DEFAULT_TIMEOUT_S}); the command is not stopped then.`);
const limit = z.number().int().min(MIN_LIMIT_BYTES).max(MAX_LIMIT_BYTES).optional()
  .describe(`Max output bytes (default ${DEFAULT_LIMIT_BYTES}); head and tail kept.`);
const job = z.number().int().min(1).max(1e9);
// A sandbox profile's name, as the daemon's --sandbox-config names them.
const sandbox = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).optional();

// Input shapes, per tool.
export function inputShapes(targets: readonly [string, ...string[]]) {
  const c = common(targets);
  return {
    run: {
      command: z.string().min(1).describe('Bash text: a command or a script.'),
      ...c,
      timeout,
      interactive: z.boolean().optional().describe('stdin is the terminal (REPLs, prompts; drive with send). Default: /dev/null.'),
      limit,
      sandbox: sandbox.describe('Sandbox profile for a NEW session ("default" built in): no network, files read-only but its project dir, capped memory, CPU, processes.'),
    },
    wait: { job: job.optional().describe('Default: the latest job.'), ...c, timeout, limit },
    send: {
      text: z.string().min(1).describe('Keys, exactly: "\\n" Enter, "\\u0003" Ctrl-C, "\\u0004" Ctrl-D, "\\u001b" Esc.'),
      ...c,
      timeout,
    },
    screen: { ...c },
    kill: { job: job.optional().describe('Default: the foreground job.'), ...c },
    jobs: { ...c, limit: z.number().int().min(1).max(1000).optional().describe('Most recent jobs to list (default 20).') },
    output: {
      job,
      from: z.number().int().min(0).optional().describe('First byte (default 0).'),
      to: z.number().int().min(0).optional().describe('Byte to stop before (default: the end).'),
      ...c,
      limit,
    },
    sessions: { target: c.target },
    new_session: {
      name: z.string().regex(SESSION_NAME_RE),
      command: z.array(z.string()).min(1).optional().describe('Program and arguments, e.g. ["python3","-q"]; omitted: a shell for run.'),
      sandbox: sandbox.describe('Sandbox profile ("default" built in), as for run.'),
      cols: z.number().int().min(10).max(1000).optional().describe('Default 200.'),
      rows: z.number().int().min(5).max(1000).optional().describe('Default 50.'),
      target: c.target,
    },
    end_session: { name: z.string().regex(SESSION_NAME_RE), target: c.target },
  };
}

// Output numbers are plain numbers: an integer schema costs ~56 bytes of safe-integer bounds each.
const n = z.number();
const where = { target: z.string(), session: z.string() };
const omitted = z.object({ bytes: n, job: n.optional(), from: n.optional(), to: n.optional() })
  .describe('Output left out; fetch with output.');

// run, wait, send, kill: how a job stands. No exit status while it runs.
export const jobOutput = {
  ...where,
  state: z.enum(JOB_STATES),
  exitStatus: n.optional(),
  job: n.optional(),
  cwd: z.string().optional(),
  prompt: z.string().optional(),
  echo: z.boolean().optional().describe('false at a password prompt'),
  output: z.string(),
  totalBytes: n.optional(),
  omitted: omitted.optional(),
  busy: z.object({
    job: n.optional(),
    state: z.enum(['running', 'waiting-for-input']),
    command: z.string().optional(),
    seconds: n.optional(),
    prompt: z.string().optional(),
  }).optional().describe('The job a busy session runs.'),
};

export const screenOutput = {
  ...where,
  screen: z.string(),
  cols: n,
  rows: n,
  cursor: z.object({ row: n, col: n }),
  altScreen: z.boolean(),
  jobState: z.enum(['idle', 'running', 'waiting-for-input']),
  job: n.optional(),
};

export const jobsOutput = {
  ...where,
  jobs: z.array(z.object({
    job: n,
    state: z.string(),
    exitStatus: n.optional(),
    started: z.string(),
    seconds: n.optional(),
    bytes: n,
    command: z.string(),
  })),
  older: n.optional(),
};

export const outputOutput = {
  ...where,
  job: n,
  from: n,
  to: n,
  totalBytes: n.optional(),
  output: z.string(),
  omitted: omitted.optional(),
  lostBytes: n.optional(),
};

const sessionSummary = z.object({
  name: z.string(),
  pid: n.nullable(),
  command: z.string(),
  state: z.string(),
  clients: n,
  createdAt: z.string(),
  idleMs: n,
  bytes: n,
  sandbox: z.string().optional().describe('profile, network, each cap and what enforces it'),
});

export const sessionsOutput = { target: z.string(), targets: z.array(z.string()), sessions: z.array(sessionSummary) };
export const newSessionOutput = { target: z.string(), session: z.string(), pid: n.nullable(), sandbox: z.string().optional() };
export const endSessionOutput = { target: z.string(), session: z.string(), ended: z.boolean() };

export type Shapes = ReturnType<typeof inputShapes>;
// The validated arguments each tool's handler receives.
export type Args<K extends keyof Shapes> = z.infer<z.ZodObject<Shapes[K]>>;
export type SessionSummaryOut = z.infer<typeof sessionSummary>;
