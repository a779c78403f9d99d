// `pty-relay mcp`: the MCP server's options, its targets, and where the local daemon is.
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import { describeEndpoint, type Endpoint } from '../client/endpoint';
import { findLocalSocket } from '../client/local-socket';
import { RelayError } from '../errors';
import { assembleTargets, parseTargetSpec, parseTargetsFile, targetsFilePath, type TargetEntry } from '../mcp/targets';
import { connectOptions } from './client';
import * as cfg from './config';

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

// `--max-wait`: whole seconds, 1 to 3600.
function maxWait(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 3600) throw new RelayError('PR_ERR_USAGE', `--max-wait takes whole seconds from 1 to 3600, not "${v}"`);
  return n;
}

// `pty-relay mcp [options]`.
export function buildMcpCommand(): Command {
  const cmd = connectOptions(new Command('mcp'))
    .description('serve the Model Context Protocol on stdio: tools for agents (run, wait, send, screen, kill, jobs, sessions) that drive pty-relay daemons. ' +
      "Without --host/--port/--socket/--target it uses the local daemon's unix socket when there is one (so `ssh server pty-relay mcp` needs no tunnel), else localhost:9998")
    .addOption(new Option('--target <name=where...>', 'a named daemon: NAME=HOST:PORT, NAME=PORT or NAME=unix:PATH (repeatable)'))
    .addOption(new Option('--max-wait <seconds>', 'the most one tool call waits before it returns "running" (the job runs on; `wait` goes on), default 50: MCP clients give up on a call after 60 s by default').argParser(maxWait))
    .addOption(new Option('--targets-file <path>', 'more named daemons, one NAME=WHERE [secret-file=PATH] a line (default: ~/.config/pty-relay/targets, when present)'))
    .action(async (o) => {
      const source = (k: string): string | undefined => cmd.getOptionValueSource(k);
      const given = (k: string): boolean => source(k) === 'cli' || source(k) === 'env';
      const explicit: Endpoint | null = given('socket') ? { path: o.socket as string } : given('host') || given('port') ? { host: o.host, port: o.port } : null;
      const local = localDaemon();
      const fallback = local.endpoint;
      const { targets, defaultName } = assembleTargets({
        flags: ((o.target as string[] | undefined) ?? []).map(parseTargetSpec),
        file: readTargetsFile(o.targetsFile ?? targetsFilePath(), o.targetsFile !== undefined),
        explicit,
        fallback,
        secret: cfg.readSecret(o.secretFile, process.env),
        readSecret: (file) => cfg.readSecret(file, {}) as string,
      });
      if (targets.some((t) => t.endpoint === fallback)) for (const line of local.say) process.stderr.write(`pty-relay mcp: ${line}\n`);
      // A bug in one call must not take the agent's tools away: say so on stderr and keep serving.
      process.on('uncaughtException', (err) => {
        process.stderr.write(`pty-relay mcp: unexpected error (still serving): ${err.stack ?? err.message}\n`);
      });
      // Loaded here, not at start: the MCP SDK and zod take ~100 ms to load, which every other
      // command (serve, ls, ...) would pay.
      const { serveMcp } = await import('../mcp/server');
      await serveMcp({ targets, defaultName, ...(o.maxWait !== undefined ? { maxWaitS: o.maxWait as number } : {}), stdin: process.stdin, stdout: process.stdout, log: (line) => process.stderr.write(`${line}\n`) });
      process.exit(0); // sockets of abandoned calls must not keep a finished server alive
    });
  return cmd;
}

// The daemon to use when none is named: this machine's, through its unix socket when one of ours
// is there (client/local-socket.ts), else localhost:9998; and what to say on stderr when it is
// used: which one, and which sockets were passed over (the operator must see where commands go).
function localDaemon(): { endpoint: Endpoint; say: string[] } {
  const found = findLocalSocket();
  const endpoint: Endpoint = found.path !== null ? { path: found.path } : { host: 'localhost', port: cfg.DEFAULT_PORT };
  const say = found.passedOver.map((p) => `not using ${p}`);
  say.push(`the local daemon is ${describeEndpoint(endpoint)}${found.path === null ? ' (no unix socket of yours found)' : ''}`);
  return { endpoint, say };
}

// A program with only the mcp command, so that `pty-relay mcp` loads nothing of the daemon.
export function buildMcpProgram(): Command {
  return new Command('pty-relay').addCommand(buildMcpCommand()).showHelpAfterError();
}
