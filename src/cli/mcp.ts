// `pty-relay mcp`: the MCP server's options, its targets, and where the local daemon is.
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Endpoint } from '../client/endpoint';
import { defaultRuntimeBase } from '../daemon/base/runtime-dir';
import { RelayError } from '../errors';
import { assembleTargets, parseTargetSpec, parseTargetsFile, targetsFilePath, type TargetEntry } from '../mcp/targets';
import { connectOptions } from './client';
import * as cfg from './config';

// The local daemon's unix socket, when one is there: how `ssh server pty-relay mcp` reaches the
// daemon with no tunnel. Looked for where `pty-relay serve` puts it by default, including
// /run/user/UID for a daemon started by systemd when this ssh session has no XDG_RUNTIME_DIR.
export function findLocalSocket(env: NodeJS.ProcessEnv = process.env): string | null {
  const uid = process.getuid?.();
  const candidates = [
    env.PTY_RELAY_RUNTIME_DIR !== undefined && env.PTY_RELAY_RUNTIME_DIR !== '' ? path.join(env.PTY_RELAY_RUNTIME_DIR, 'relay.sock') : null,
    path.join(defaultRuntimeBase(env), 'relay.sock'),
    uid !== undefined ? `/run/user/${uid}/pty-relay/relay.sock` : null,
    uid !== undefined ? path.join(os.tmpdir(), `pty-relay-${uid}`, 'relay.sock') : null,
  ];
  for (const c of candidates) {
    try {
      if (c !== null && fs.statSync(c).isSocket()) return c;
    } catch {
      // not there: try the next
    }
  }
  return null;
}

function readTargetsFile(file: string, required: boolean): TargetEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RelayError('PR_ERR_USAGE', `cannot read the targets file ${file}`, { cause: err });
  }
  return parseTargetsFile(text, file);
}

// `pty-relay mcp [options]`.
export function buildMcpCommand(): Command {
  const cmd = connectOptions(new Command('mcp'))
    .description('serve the Model Context Protocol on stdio: tools for agents (run, wait, send, screen, kill, jobs, sessions) that drive pty-relay daemons. ' +
      "Without --host/--port/--socket/--target it uses the local daemon's unix socket when there is one (so `ssh server pty-relay mcp` needs no tunnel), else localhost:9998")
    .addOption(new Option('--target <name=where...>', 'a named daemon: NAME=HOST:PORT, NAME=PORT or NAME=unix:PATH (repeatable)'))
    .addOption(new Option('--targets-file <path>', 'more named daemons, one NAME=WHERE [secret-file=PATH] a line (default: ~/.config/pty-relay/targets, when present)'))
    .action(async (o) => {
      const source = (k: string): string | undefined => cmd.getOptionValueSource(k);
      const given = (k: string): boolean => source(k) === 'cli' || source(k) === 'env';
      const explicit: Endpoint | null = given('socket') ? { path: o.socket as string } : given('host') || given('port') ? { host: o.host, port: o.port } : null;
      const local = findLocalSocket();
      const { targets, defaultName } = assembleTargets({
        flags: ((o.target as string[] | undefined) ?? []).map(parseTargetSpec),
        file: readTargetsFile(o.targetsFile ?? targetsFilePath(), o.targetsFile !== undefined),
        explicit,
        fallback: local !== null ? { path: local } : { host: 'localhost', port: cfg.DEFAULT_PORT },
        secret: cfg.readSecret(o.secretFile, process.env),
        readSecret: (file) => cfg.readSecret(file, {}) as string,
      });
      // A bug in one call must not take the agent's tools away: say so on stderr and keep serving.
      process.on('uncaughtException', (err) => {
        process.stderr.write(`pty-relay mcp: unexpected error (still serving): ${err.stack ?? err.message}\n`);
      });
      // Loaded here, not at start: the MCP SDK and zod take ~100 ms to load, which every other
      // command (serve, ls, ...) would pay.
      const { serveMcp } = await import('../mcp/server');
      await serveMcp({ targets, defaultName, stdin: process.stdin, stdout: process.stdout, log: (line) => process.stderr.write(`${line}\n`) });
      process.exit(0); // sockets of abandoned calls must not keep a finished server alive
    });
  return cmd;
}

// A program with only the mcp command, so that `pty-relay mcp` loads nothing of the daemon.
export function buildMcpProgram(): Command {
  return new Command('pty-relay').addCommand(buildMcpCommand()).showHelpAfterError();
}
