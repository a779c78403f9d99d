// `pty-relay doctor`: walks the chain link by link and reports one line per check.
//
// Client checks (the laptop, or anywhere a client runs): the local end listens; a pty-relay
// daemon answers; its version; the secret; round trips of `true` and of a 2 kB reply (the Nagle
// stall of a plain `ssh -N` tunnel); this machine's nc. Server checks (where the daemon runs):
// systemd unit and linger, runtime directory and socket, bash, login shell, the native addon's
// cache mount, /proc/net/tcp, file descriptors, the sessions' holders. By default the client checks always run and the
// server checks run when this machine has a daemon's runtime directory; --client and --server
// pick one side. The server checks read the filesystem and ask the daemon over its own unix
// socket; they never load daemon code. They are Linux only, as the daemon is (systemd, /proc,
// mountinfo): elsewhere (a macOS laptop) `auto` skips them and --server reports one skip line.
// The client checks use only sockets and the local `nc`, so they run on macOS as on Linux.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Endpoint } from '../endpoint';
import { request } from '../link';
import { skip, type Check } from './check';
import { daemonCheck, listenCheck, secretCheck, versionCheck, type SecretState } from './daemon-checks';
import { addonCacheCheck } from './addon-cache';
import { fdsCheck } from './fds';
import { daemonSessions, holdersCheck } from './holders';
import { ncCheck } from './nc';
import { probe, type Probe } from './probe';
import { procNetCheck } from './proc-net';
import { measureRoundTrips, roundTripCheck } from './round-trip';
import { runtimeDirCheck, socketCheck } from './runtime-dir';
import { bashCheck, loginShellCheck } from './shell';
import { lingerCheck, serviceCheck } from './systemd';

export interface DoctorOptions {
  platform?: NodeJS.Platform; // where this runs (default: process.platform); the server checks need Linux
  endpoint: Endpoint;
  secret: SecretState;
  client: boolean; // run the client checks
  server: boolean | 'auto'; // run the server checks; auto: when the runtime directory exists
  runtimeBase: string; // where a daemon on this machine keeps its runtime directory
  defaultShell: string; // the bash a daemon started now would run
  cacheDirs: string[]; // the single binary's addon cache candidates, most preferred first
}

export type { Check } from './check';

// True when the server checks should run for these options.
export function wantsServer(o: Pick<DoctorOptions, 'server' | 'runtimeBase' | 'platform'>): boolean {
  return o.server === 'auto' ? (o.platform ?? process.platform) === 'linux' && fs.existsSync(o.runtimeBase) : o.server;
}

// Runs the chosen checks in chain order.
export async function runDoctor(o: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  if (o.client) checks.push(...(await clientChecks(o.endpoint, o.secret)));
  if (wantsServer(o)) checks.push(...(await serverChecks(o)));
  return checks;
}

async function clientChecks(ep: Endpoint, s: SecretState): Promise<Check[]> {
  const p = await probe(ep, s.secret);
  const checks = [listenCheck(ep, p), daemonCheck(ep, p, s.secret), versionCheck(p), secretCheck(p, s)];
  if (p.kind !== 'daemon') {
    checks.push(skip('round-trip', 'not tried: the links above must work first'), await ncCheck(ep, null));
    return checks;
  }
  // A session of its own: the user's sessions may be busy, and doctor must not queue behind them.
  const session = `doctor-${process.pid}`;
  checks.push(roundTripCheck(await measureRoundTrips(ep, s.secret, session)));
  const auth = s.secret !== null ? `#!auth ${s.secret}\n` : '';
  checks.push(await ncCheck(ep, { text: `${auth}#!session ${session}\necho pty-relay-doctor-$((6*7))\n`, expect: 'pty-relay-doctor-42\n' }));
  await request(ep, s.secret, { op: 'kill', session }).catch(() => undefined);
  return checks;
}

async function serverChecks(o: DoctorOptions): Promise<Check[]> {
  const platform = o.platform ?? process.platform;
  if (platform !== 'linux') return [skip('server', `the server checks are for Linux, where the daemon runs (this is ${platform}): run \`pty-relay doctor --server\` on the server`)];
  const sock = path.join(o.runtimeBase, 'relay.sock');
  const answer: Probe | null = fs.existsSync(sock) ? await probe({ path: sock }, o.secret.secret) : null;
  const info = answer?.kind === 'daemon' ? answer.info : null;
  const service = await serviceCheck();
  return [
    service.check,
    lingerCheck(),
    runtimeDirCheck(info?.runtimeBase ?? o.runtimeBase),
    socketCheck(info?.socket ?? sock, answer),
    await bashCheck(info?.shell ?? o.defaultShell, info !== null ? "the running daemon's shell" : 'the shell a daemon started now would run'),
    loginShellCheck(),
    addonCacheCheck(o.cacheDirs),
    procNetCheck(),
    fdsCheck(info?.pid ?? service.mainPid),
    holdersCheck(answer?.kind === 'daemon' ? await daemonSessions(sock, o.secret.secret) : null),
  ];
}
