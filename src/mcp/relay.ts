// The MCP server's side of the daemons: picks a target by name, runs exec exchanges and control
// requests on it, and words connection failures for a model.
import { sendExec } from '../client/exec';
import { request } from '../client/link';
import { RelayError } from '../errors';
import type { Trailer } from '../protocol/exec-text';
import type { Reply, Request } from '../protocol/frame';
import { BoundedOutput } from './bounded-output';
import { DEFAULT_LIMIT_BYTES } from './schemas';
import type { Target } from './targets';

// Room above a reply's `#!limit` for the daemon's own notice lines, so that the MCP server's
// bound only cuts a reply the daemon did not bound itself.
const BOUND_SLACK_BYTES = 16 * 1024;

export interface ExecReply {
  trailer: Trailer | null;
  output: string;
  omittedBytes: number;
  bounded: BoundedOutput; // the reply as kept, to word a cut in it otherwise (views.ts)
}

// Directives a request can do without: `#!limit` (the bound here still holds) and `#!nocreate`
// (an older daemon then starts a session a read-only tool names, as it always did).
const OPTIONAL = new Set(['limit', 'nocreate']);

const directiveName = (line: string): string => /^#!([a-z-]+)/.exec(line)?.[1] ?? '';

export class Relay {
  private readonly byName: Map<string, Target>;
  // Directives a target's daemon refused as unknown (it is older than them): sent without since.
  private readonly refused = new Map<string, Set<string>>();

  constructor(
    readonly targets: readonly Target[],
    readonly defaultName: string,
  ) {
    this.byName = new Map(targets.map((t) => [t.name, t]));
  }

  // The named target, or the default one.
  target(name: string | undefined): Target {
    const t = this.byName.get(name ?? this.defaultName);
    if (t === undefined) throw new RelayError('PR_ERR_USAGE', `unknown target "${name}"; configured: ${[...this.byName.keys()].join(', ')}`);
    return t;
  }

  // One exec exchange. A `limit` is sent as `#!limit`; with or without one, the reply kept here is
  // bounded (by the limit or DEFAULT_LIMIT_BYTES, plus slack for the daemon's notices). Lines of
  // OPTIONAL directives that a daemon does not know are left out for it.
  async exec(t: Target, directives: string[], script: string, limit: number | null, signal?: AbortSignal): Promise<ExecReply> {
    const skip = this.refused.get(t.name) ?? new Set<string>();
    const lines = [...directives, ...(limit !== null ? [`#!limit ${limit}`] : [])].filter((l) => !skip.has(directiveName(l)));
    const sink = new BoundedOutput((limit ?? DEFAULT_LIMIT_BYTES) + BOUND_SLACK_BYTES);
    let trailer: Trailer | null;
    try {
      trailer = await sendExec({ endpoint: t.endpoint, secret: t.secret, directives: lines, script, out: sink, ...(signal ? { signal } : {}) });
    } catch (err) {
      throw this.unreachable(t, err);
    }
    const output = sink.text();
    const unknown = /^pty-relay: error: unknown directive "#!([a-z-]+)"/m.exec(output)?.[1];
    if ((trailer === null || trailer.reason === 'error') && unknown !== undefined && OPTIONAL.has(unknown) && lines.some((l) => directiveName(l) === unknown)) {
      // Refused before anything ran (older daemons end such a reply without a trailer): safe to
      // send again without it.
      this.refused.set(t.name, new Set([...skip, unknown]));
      return this.exec(t, directives, script, limit, signal);
    }
    return { trailer, output, omittedBytes: sink.omittedBytes, bounded: sink };
  }

  // One framed control request (ls, new, kill); a refusal becomes a RelayError with its message.
  async control(t: Target, req: Request): Promise<Extract<Reply, { ok: true }>> {
    let reply: Reply;
    try {
      reply = await request(t.endpoint, t.secret, req);
    } catch (err) {
      throw this.unreachable(t, err);
    }
    if (!reply.ok) throw new RelayError('PR_ERR_USAGE', `${reply.message} [${reply.code}]`);
    return reply;
  }

  private unreachable(t: Target, err: unknown): RelayError {
    const others = this.targets.filter((o) => o !== t).map((o) => o.name);
    // The client's connection errors already name the cause and the next step (client/explain.ts).
    const message = err instanceof Error ? err.message : String(err);
    const known = others.length > 0 ? ` Other targets: ${others.join(', ')}.` : '';
    return new RelayError('PR_ERR_CONNECT', `target "${t.name}": ${message}${/[.?!]$/.test(message) ? '' : '.'}${known}`, { cause: err });
  }
}
