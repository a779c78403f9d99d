// `pty-relay mcp`: a Model Context Protocol server on stdio whose tools drive pty-relay daemons.
// The only module that imports the MCP SDK. stdout carries the protocol, so nothing else may
// write there; diagnostics go to stderr.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { VERSION } from '../version';
import { Relay } from './relay';
import { errorResult } from './reply';
import { inputShapes, strictInput } from './schemas';
import type { Target } from './targets';
import { execTools } from './tools-exec';
import { sessionTools } from './tools-sessions';

export interface McpOptions {
  targets: Target[];
  defaultName: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  log(line: string): void; // one diagnostic line, for stderr
}

// What the host may show the model about this server as a whole.
function instructions(relay: Relay): string {
  const names = relay.targets.map((t) => t.name);
  const where = names.length > 1 ? ` on several servers (targets: ${names.join(', ')}; default ${relay.defaultName})` : '';
  return [
    `Persistent bash shells${where}, through pty-relay. \`run\` runs commands; the shell keeps cwd, environment and functions, so cd once.`,
    'Each result ends with a bracketed line: how the command stands ("running" is not stopped; "waiting-for-input"; "busy") and the next calls, pasteable as they are.',
    'Use a separate `session` for separate or parallel work.',
  ].join(' ');
}

// Serves until stdin ends (the host closed the connection); resolves then.
export async function serveMcp(o: McpOptions): Promise<void> {
  const relay = new Relay(o.targets, o.defaultName);
  const names = relay.targets.map((t) => t.name);
  const ordered = [relay.defaultName, ...names.filter((n) => n !== relay.defaultName)] as [string, ...string[]];
  const shapes = inputShapes(ordered);
  const server = new McpServer({ name: 'pty-relay', version: VERSION }, { instructions: instructions(relay) });
  for (const tool of [...execTools(relay, shapes), ...sessionTools(relay, shapes)]) {
    server.registerTool(
      tool.name,
      // No outputSchema: the structured content is a few facts beside the text (reply.ts), and a
      // schema per tool would double tools/list, which a host sends in every conversation.
      { title: tool.title, description: tool.description, inputSchema: strictInput(tool.name, tool.input), annotations: tool.hints },
      // A failure (an unreachable daemon, a refused request) is the model's to read, as a tool
      // error; the server itself keeps serving.
      async (args: unknown, extra: { signal: AbortSignal }) => {
        try {
          return await tool.run(args as never, extra.signal);
        } catch (err) {
          return errorResult(err instanceof Error ? err.message : String(err));
        }
      },
    );
  }
  const transport = new StdioServerTransport(o.stdin as NodeJS.ReadStream, o.stdout as NodeJS.WriteStream);
  await server.connect(transport);
  o.log(`pty-relay mcp: serving ${names.length} target(s): ${relay.targets.map((t) => t.name).join(', ')}`);
  await new Promise<void>((resolve) => {
    o.stdin.once('end', resolve);
    o.stdin.once('close', resolve);
    o.stdout.once('error', () => resolve()); // the host went away (EPIPE)
  });
  await server.close();
}
