// `pty-relay serve`: wires the runtime directory, the session registry, the listeners and signals.
import * as fs from 'node:fs';
import type { Logger } from '../log';
import { MAX_FRAME_BYTES } from '../protocol/frame';
import { Registry } from './registry';
import { makeInstanceDir } from './runtime-dir';
import { startServer, type RunningServer } from './server';
import type { ExecConfig } from './exec';
import type { RequestTiming } from './request';

export interface DaemonConfig {
  hosts: string[];
  port: number;
  shell: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  runtimeBase: string;
  handshakeMs: number;
  execTimeoutMs: number;
  maxRequestBytes: number;
  timing: RequestTiming;
  ringBytes: number;
  heartbeatTimeoutMs: number;
}

export interface Daemon {
  server: RunningServer;
  registry: Registry;
  // Tells clients, hangs up every shell, closes the listeners and removes the runtime files.
  shutdown(reason: string): Promise<void>;
}

// Starts serving; rejects with PR_ERR_LISTEN or PR_ERR_RUNTIME_DIR when it cannot.
export async function startDaemon(config: DaemonConfig, log: Logger): Promise<Daemon> {
  const dir = makeInstanceDir(config.runtimeBase);
  const registry = new Registry(dir, { shell: config.shell, cwd: config.cwd, env: config.env, cols: config.cols, rows: config.rows, ringBytes: config.ringBytes }, log);
  const exec: ExecConfig = {
    timing: config.timing,
    maxRequestBytes: config.maxRequestBytes,
    defaultTimeoutMs: config.execTimeoutMs,
    connectHint: '',
  };
  let server: RunningServer;
  try {
    const attach = { heartbeatTimeoutMs: config.heartbeatTimeoutMs, maxFrameBytes: MAX_FRAME_BYTES };
    server = await startServer({ hosts: config.hosts, port: config.port, handshakeMs: config.handshakeMs, exec, attach }, registry, log);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  exec.connectHint = `nc localhost ${server.port}`;
  log.info({ evt: 'daemon.ready', shell: config.shell, runtimeDir: dir }, 'ready');
  let closing: Promise<void> | null = null;
  return {
    server,
    registry,
    shutdown(reason) {
      closing ??= (async () => {
        log.info({ evt: 'daemon.shutdown', reason }, 'shutting down');
        registry.closeAll(`the daemon is shutting down (${reason})`);
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
