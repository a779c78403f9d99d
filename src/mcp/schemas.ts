// The tools' input schemas, with descriptions written for a model. The only module that imports
// zod (the SDK's schema language). `tools/list` is paid for in every conversation that has this
// server, so descriptions are terse, say a thing once, and fields whose names say what they are
// carry none. Every schema is strict: an argument that is unknown (`timeout_s`) or of the wrong
// type is refused with a message naming the arguments there are, never dropped in silence (a
// dropped `timeout` meant the default one, and an agent that thought it asked for 3 s waited 30).
import { z } from 'zod';
import { SESSION_NAME_RE, validateSessionName } from '../protocol/session-name';

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
// A name goes into a directive line, so it is checked here (a refinement, which the JSON schema in
// tools/list leaves out: the error message says what a name may be).
const name = z.string().refine((s) => SESSION_NAME_RE.test(s), { error: (iss) => validateSessionName(String(iss.input)) ?? 'invalid session name' });

function common(targets: readonly [string, ...string[]]) {
  return {
    session: name.optional().describe('Default "default"; run with a new name starts a shell.'),
    ...(targets.length > 1 ? { target: z.enum(targets).optional().describe(`Default ${targets[0]}.`) } : { target: z.enum(targets).optional() }),
  };
}

const timeout = z.number().positive().max(MAX_TIMEOUT_S).optional()
  .describe(`Seconds before returning "running" (default ${DEFAULT_TIMEOUT_S}); nothing is stopped.`);
const limit = z.number().int().min(MIN_LIMIT_BYTES).max(MAX_LIMIT_BYTES).optional()
  .describe(`Output bytes kept, head and tail (default ${DEFAULT_LIMIT_BYTES}).`);
const job = z.number().int().min(1);
// A sandbox profile's name, as the daemon's --sandbox-config names them ("default" built in).
const sandbox = z.string().refine((s) => /^[a-z][a-z0-9_-]{0,31}$/.test(s), 'a sandbox profile name is [a-z][a-z0-9_-]{0,31}').optional().describe('Sandbox profile for a new session ("default": no network, read-only files outside its dir, capped).');

// Input shapes, per tool.
export function inputShapes(targets: readonly [string, ...string[]]) {
  const c = common(targets);
  return {
    run: {
      command: z.string().min(1).describe('Bash text.'),
      ...c,
      timeout,
      interactive: z.boolean().optional().describe('stdin is the terminal (REPLs, prompts), else /dev/null.'),
      limit,
      sandbox,
    },
    wait: { job: job.optional().describe('Default: the latest.'), ...c, timeout, limit },
    send: { text: z.string().min(1).describe('Keys: "\\n" Enter, "\\u0003" Ctrl-C, "\\u001b" Esc.'), ...c, timeout },
    screen: { ...c },
    kill: { job: job.optional().describe('Default: the foreground job.'), ...c },
    jobs: { ...c, limit: z.number().int().min(1).max(1000).optional().describe('Default 20.') },
    output: { job, from: z.number().int().min(0).optional(), to: z.number().int().min(0).optional(), ...c, limit },
    sessions: { target: c.target },
    new_session: {
      name,
      command: z.array(z.string()).min(1).optional().describe('e.g. ["python3","-q"]; runs as a job of a new shell.'),
      sandbox,
      cols: z.number().int().min(10).max(1000).optional(),
      rows: z.number().int().min(5).max(1000).optional(),
      target: c.target,
    },
    end_session: { name, target: c.target },
  };
}

// A tool's arguments as one strict object: an unknown argument is an error naming the known ones.
export function strictInput(tool: string, shape: z.ZodRawShape): z.ZodObject {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown argument${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}: ${tool} takes ${known}` : undefined),
  });
}

export type Shapes = ReturnType<typeof inputShapes>;
// The validated arguments each tool's handler receives.
export type Args<K extends keyof Shapes> = z.infer<z.ZodObject<Shapes[K]>>;
