// The first links of the chain, read from one probe: does something listen on the local end, is
// it a pty-relay daemon, is it our version, and does it want a secret we have.
import { VERSION } from '../../version';
import { describeEndpoint, type Endpoint } from '../endpoint';
import { isLocalHost, printable, refusalHint } from '../explain';
import { ok, problem, skip, warning, type Check } from './check';
import type { Probe } from './probe';

export interface SecretState {
  secret: string | null;
  error: string | null; // why the configured secret file could not be read
}

// Something listening on the local end of the chain.
export function listenCheck(ep: Endpoint, p: Probe): Check {
  const where = describeEndpoint(ep);
  if (p.kind !== 'unreachable') return ok('listen', `something listens on ${where}`);
  if ('path' in ep) {
    if (p.code === 'ENOENT') return problem('listen', `no unix socket at ${ep.path}`, 'start the daemon (`systemctl --user start pty-relay`, or `pty-relay serve`)');
    if (p.code === 'EACCES' || p.code === 'EPERM') return problem('listen', `permission denied on ${ep.path}`, 'run this as the user who runs the daemon: its socket is private to that user');
    if (p.code === 'ECONNREFUSED') return problem('listen', `nothing listens on ${ep.path} (a file left behind by a daemon that is gone)`, 'start the daemon; it replaces the file');
  } else if (p.code === 'ECONNREFUSED') {
    const fix = isLocalHost(ep.host)
      ? 'start the tunnel (`pty-relay tunnel SERVER`), or on the server itself the daemon (`systemctl --user start pty-relay`)'
      : `the daemon listens on loopback only: run \`pty-relay tunnel ${ep.host}\` and check localhost instead`;
    return problem('listen', `nothing listens on ${where}`, fix);
  } else if (p.code === 'ENOTFOUND' || p.code === 'EAI_AGAIN') {
    return problem('listen', `cannot resolve the host name "${ep.host}"`, 'check -s/--host; through a tunnel the daemon is at localhost');
  }
  return problem('listen', `cannot connect to ${where} (${p.message})`, 'check the address; the daemon is meant to be reached through an SSH tunnel at localhost');
}

// A pty-relay daemon (and not another program, or a tunnel to nowhere) answers.
export function daemonCheck(ep: Endpoint, p: Probe, secret: string | null): Check {
  const where = describeEndpoint(ep);
  const other = 'another program listens there: point -p at the tunnel or daemon, or stop that program';
  switch (p.kind) {
    case 'unreachable':
      return skip('daemon', 'nothing to ask');
    case 'silent-close':
      return problem(
        'daemon',
        `${where} accepts connections but closes them without a word`,
        'this is what an SSH tunnel does when nothing listens at its far end: start the daemon on the server (`systemctl --user start pty-relay`), or point the tunnel at its port or socket (--remote)',
      );
    case 'no-answer':
      return problem('daemon', `${where} accepts connections but gives no pty-relay answer`, other);
    case 'foreign':
      return problem('daemon', `${where} does not speak pty-relay (it said "${printable(p.said)}")`, other);
    case 'refused':
      return problem('daemon', `a pty-relay daemon answers but refuses this connection: ${p.line}`, refusalHint(p.line, secret !== null) ?? 'see the daemon log (`journalctl --user -u pty-relay -o cat`)');
    case 'error':
      if (p.code === 'PR_ERR_AUTH') return ok('daemon', `a pty-relay daemon answers on ${where} (it wants the secret before it says more)`);
      if (p.code === 'PR_ERR_VERSION') return problem('daemon', `a pty-relay daemon answers but speaks another protocol: ${p.message}`, 'install the same pty-relay version on both ends');
      return problem('daemon', `a pty-relay daemon answers with an error: ${p.message} [${p.code}]`, 'see the daemon log (`journalctl --user -u pty-relay -o cat`)');
    case 'not-ours':
      return problem('daemon', p.message, 'find who listens there (`ss -ltnp`, `ss -lxp`) and start your own daemon; through a tunnel forward the unix socket (README "Security model")');
    case 'daemon':
      return ok('daemon', `${p.hello.agent.replace('/', ' ')} answers on ${where} (protocol ${p.hello.proto})`);
  }
}

// The daemon runs the same version as this client.
export function versionCheck(p: Probe): Check {
  if (p.kind === 'error' && p.code === 'PR_ERR_AUTH') return skip('version', 'the daemon tells its version only to clients with the secret');
  if (p.kind !== 'daemon') return skip('version', 'no daemon to ask');
  const theirs = /^pty-relay\/(.+)$/.exec(p.hello.agent)?.[1];
  if (theirs === VERSION) return ok('version', `same version as this client (${VERSION})`);
  return warning('version', `the daemon runs ${p.hello.agent}, this client is pty-relay ${VERSION}`, 'install the same pty-relay version on both ends');
}

// A secret is needed and present (or not needed).
export function secretCheck(p: Probe, s: SecretState): Check {
  if (s.error !== null) return problem('secret', s.error, 'fix the secret file, or unset PTY_RELAY_SECRET_FILE and set PTY_RELAY_SECRET');
  if (p.kind === 'error' && p.code === 'PR_ERR_AUTH') {
    if (s.secret === null) return problem('secret', 'the daemon needs a shared secret and this client has none', "set PTY_RELAY_SECRET, or pass --secret-file FILE (mode 600) holding the daemon's secret");
    return problem('secret', "the daemon rejected this client's secret", "PTY_RELAY_SECRET or --secret-file must hold the daemon's secret");
  }
  if (p.kind !== 'daemon') return skip('secret', 'no daemon to ask');
  return ok('secret', s.secret === null ? 'no secret needed' : 'the secret is accepted');
}
