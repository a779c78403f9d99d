// `pty-relay doctor`: the command line of the checks in src/client/doctor/.
import { Command, Option } from 'commander';
import { cacheBaseDirs } from '../native/native-loader';
import { runDoctor, wantsServer } from '../client/doctor';
import type { SecretState } from '../client/doctor/daemon-checks';
import { exitCode, formatJson, formatText } from '../client/doctor/report';
import { describeEndpoint } from '../client/endpoint';
import { defaultRuntimeBase } from '../daemon/base/runtime-dir';
import { RelayError } from '../errors';
import { VERSION } from '../version';
import { clientConnection, connectOptions } from './client';
import * as cfg from './config';

// `pty-relay doctor [--client | --server] [--json]`.
export function buildDoctorCommand(): Command {
  return connectOptions(new Command('doctor'))
    .description('check every link from here to the daemon (and, on the server, its setup); one line per check with the fix; exits 1 on a problem')
    .option('--client', 'only the client checks: the chain to the daemon at --host/--port (or --socket)')
    .option('--server', "only the server checks: this machine's daemon, systemd, linger, runtime dir, bash, mounts, limits")
    .addOption(new Option('--runtime-dir <dir>', "the daemon's runtime directory, if it was given one (server checks)").env('PTY_RELAY_RUNTIME_DIR'))
    .option('--json', 'print JSON')
    .action(async (o) => {
      const { endpoint, secret } = connection(o);
      const both = o.client === true && o.server === true;
      const options = {
        endpoint,
        secret,
        client: o.server !== true || both,
        server: o.server === true ? true : o.client === true ? false : ('auto' as const),
        runtimeBase: o.runtimeDir ?? defaultRuntimeBase(),
        defaultShell: cfg.defaultShell(),
        cacheDirs: cacheBaseDirs(),
      };
      const checks = await runDoctor(options);
      if (o.json) process.stdout.write(formatJson(checks, VERSION, options.client ? describeEndpoint(endpoint) : null));
      else {
        const sides = [options.client ? describeEndpoint(endpoint) : null, wantsServer(options) ? `this machine as the server (${options.runtimeBase})` : null].filter((s) => s !== null);
        process.stdout.write(`pty-relay doctor ${VERSION}: checking ${sides.join(' and ')}\n${formatText(checks)}`);
      }
      process.exitCode = exitCode(checks);
    });
}

// The endpoint, and the secret or why it could not be read: a broken secret file is one of the
// things doctor reports, not a reason to stop.
function connection(o: Parameters<typeof clientConnection>[0]): { endpoint: ReturnType<typeof clientConnection>['endpoint']; secret: SecretState } {
  try {
    const c = clientConnection(o);
    return { endpoint: c.endpoint, secret: { secret: c.secret, error: null } };
  } catch (err) {
    if (!(err instanceof RelayError)) throw err;
    const { endpoint } = clientConnection({ ...o, secretFile: undefined });
    return { endpoint, secret: { secret: null, error: err.message } };
  }
}
