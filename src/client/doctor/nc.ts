// Which netcat this machine has, whether it takes -N (send EOF when stdin ends), and so which
// command line the agent instructions should use here; then that very line, tried for real.
//
// netcat-openbsd (Debian's `nc`) has -N; without it, it never sends EOF and the daemon waits for a
// complete command plus 5 ms of quiet. netcat-traditional has no -N and its -q cuts replies short.
// ncat and busybox send EOF by themselves. macOS's nc differs between releases: decided by its
// own help text, not by its name.
import type { Endpoint } from '../endpoint';
import { ok, skip, warning, type Check } from './check';
import { runProgram } from './run';

export interface NcFlavour {
  name: string; // netcat-openbsd, netcat-traditional, ncat, busybox nc, or "an unknown nc"
  hasN: boolean; // takes -N
  unix: boolean; // can reach a unix socket (-U)
}

// Reads the flavour from `nc -h` output.
export function ncFlavour(help: string): NcFlavour {
  const hasN = /^\s*-N\s/m.test(help);
  if (/OpenBSD netcat/.test(help)) return { name: 'netcat-openbsd', hasN, unix: true };
  if (/^\[v1\.\d+/m.test(help)) return { name: 'netcat-traditional', hasN, unix: false };
  if (/Ncat/.test(help)) return { name: 'ncat', hasN, unix: true };
  if (/BusyBox/.test(help)) return { name: 'busybox nc', hasN, unix: false };
  return { name: 'an unknown nc', hasN, unix: /^\s*-U\s/m.test(help) };
}

// The arguments agents should give nc for this flavour and endpoint; null when this nc cannot
// reach the endpoint (a unix socket without -U).
export function ncArgs(f: NcFlavour, ep: Endpoint): string[] | null {
  const n = f.hasN ? ['-N'] : [];
  if ('path' in ep) return f.unix ? [...n, '-U', ep.path] : null;
  return [...n, ep.host, String(ep.port)];
}

// The nc check. `request` is a request that makes the daemon print `expect`, or null when the
// daemon cannot be asked (then only the flavour is reported).
export async function ncCheck(ep: Endpoint, request: { text: string; expect: string } | null): Promise<Check> {
  const help = await runProgram('nc', ['-h'], { input: '' });
  if (help.missing) return warning('nc', 'there is no `nc` on this machine', 'install netcat-openbsd (`apt install netcat-openbsd`), or have agents use `pty-relay exec -- COMMAND`');
  const f = ncFlavour(`${help.out}${help.err}`);
  const args = ncArgs(f, ep);
  const cmd = args === null ? null : ['nc', ...args].join(' ');
  const what = `nc is ${f.name} (${f.hasN ? 'has -N' : f.name === 'netcat-traditional' ? 'no -N; never give it -q, which cuts replies short' : 'no -N'})`;
  if (args === null || cmd === null) return warning('nc', `${what} and cannot reach a unix socket`, 'have agents use `pty-relay exec --socket PATH -- COMMAND`, or install netcat-openbsd');
  if (request === null) return skip('nc', `${what}: agents should use \`${cmd}\` (not tried: the links above must work first)`);
  const r = await runProgram('nc', args, { input: request.text });
  if (r.out === request.expect) return ok('nc', `${what}: agents should use \`printf '%s\\n' 'COMMAND' | ${cmd}\` (tried: works)`);
  const got = r.out.trim().split('\n').pop()?.slice(0, 120) ?? '';
  return warning('nc', `${what}, but \`${cmd}\` did not bring the reply back (got "${got}")`, 'have agents use `pty-relay exec -- COMMAND` instead');
}
