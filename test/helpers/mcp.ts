// The real `pty-relay mcp` process (or any command that speaks MCP on stdio, such as ssh running
// it on a server), driven by the MCP SDK's own client.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { RELAY_BIN, startDaemon, type TestDaemon } from './daemon';

export interface ToolText {
  text: string;
  output: string; // the text without its closing bracketed line: what the command printed
  isError: boolean;
  structured: Record<string, unknown> | undefined;
}

export interface McpSession {
  client: Client;
  home: string;
  stderr(): string;
  pid: number | null;
  // Calls a tool and returns its text, error flag and structured content.
  call(name: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<ToolText>;
  close(): Promise<void>;
}

export interface McpStart {
  env?: Record<string, string>;
  files?: Record<string, string>; // written into the throwaway HOME first (path relative to it)
}

// Starts `command args` as an MCP server on stdio with a throwaway HOME (so no real targets file
// is read) and connects the SDK client to it.
export async function connectMcp(command: string, args: string[], o: McpStart = {}): Promise<McpSession> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-mcp-home-'));
  for (const [rel, text] of Object.entries(o.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), text, { mode: 0o600 });
  }
  const transport = new StdioClientTransport({
    command,
    args,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', ...o.env },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const client = new Client({ name: 'pty-relay-test', version: '0' });
  await client.connect(transport);
  return {
    client,
    home,
    stderr: () => err,
    pid: transport.pid,
    async call(name, callArgs = {}, timeoutMs = 60_000) {
      const r = await client.callTool({ name, arguments: callArgs }, undefined, { timeout: timeoutMs });
      const content = r.content as Array<{ type: string; text?: string }>;
      const text = content.map((c) => c.text ?? '').join('');
      return {
        text,
        output: text.replace(/(^|\n)\[[^\n]*\]$/, '$1'),
        isError: r.isError === true,
        structured: r.structuredContent as Record<string, unknown> | undefined,
      };
    },
    async close() {
      await client.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

// `pty-relay mcp ARGS` from the built artefact.
export function relayMcp(args: string[], o: McpStart = {}): Promise<McpSession> {
  return connectMcp(process.execPath, [RELAY_BIN, 'mcp', ...args], o);
}

// A test file's daemon and the MCP server on it, started before its tests and stopped after them.
export function daemonAndMcp(): { daemon(): TestDaemon; mcp(): McpSession } {
  let d: TestDaemon | undefined;
  let m: McpSession | undefined;
  beforeAll(async () => {
    d = await startDaemon();
    m = await relayMcp(['--port', String(d.port)]);
  });
  afterAll(async () => {
    await m?.close();
    expect(await d?.stop()).toBe(0);
  });
  return { daemon: () => d as TestDaemon, mcp: () => m as McpSession };
}
