// What a tool is, independent of the SDK: a name, a description for the model, an input schema,
// hints for the host, and a handler that returns a ToolResult.
import type { ToolResult } from './reply';
import type { Args, Shapes } from './schemas';
export type ToolName = keyof Shapes;

// MCP's tool annotations: hints a host may use to decide what to ask the user first.
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDef<K extends ToolName = ToolName> {
  name: K;
  title: string;
  description: string;
  input: Shapes[K];
  hints: ToolHints;
  // `signal` aborts when the host cancels the call.
  run(args: Args<K>, signal: AbortSignal): Promise<ToolResult>;
}

// Names the tool's own type parameter, so each handler sees its own validated arguments.
export function defineTool<K extends ToolName>(def: ToolDef<K>): ToolDef<K> {
  return def;
}

// A number of seconds as a directive argument (`#!timeout` takes plain decimals, not 1e-7).
export function seconds(s: number): string {
  return String(Math.ceil(s * 1000) / 1000);
}
