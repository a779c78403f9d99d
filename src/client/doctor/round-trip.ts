// Round trips through the whole chain, and the stall a plain `ssh -N` tunnel adds to replies
// that carry output: OpenSSH sets TCP_NODELAY only for sessions with a tty, so Nagle's algorithm
// and delayed ACKs hold back the second segment of a reply by ~40 ms (DESIGN.md §3; README
// "Tunnels": ~50 ms against ~6-9 ms through `pty-relay tunnel`). An empty reply (`true`, sent
// as `nc -N` sends it: a bare FIN comes back) does not show it; a 2 kB one does. So doctor times
// both, interleaved, and compares their medians and their fastest samples.
import { connect, type Endpoint } from '../endpoint';
import { ok, problem, warning, type Check } from './check';

// Samples of each kind: enough for a median that a few slow samples cannot move, few enough that
// the stalled case (~50 ms each) stays around half a second.
export const SAMPLES = 9;
// The stall is one delayed ACK: at least 40 ms on Linux (TCP_DELACK_MIN), measured 45-50 ms
// through a real sshd. Without it a 2 kB reply costs ~2 ms more than `true`, but on a machine
// loaded 5x beyond its cores up to ~25 ms more (the reply takes more event-loop turns, each of
// which waits for a CPU). 30 ms sits between the two.
export const NAGLE_MARGIN_MS = 30;
// Generous: the first request starts the session's shell, which runs the user's ~/.bashrc.
// A request that hits it reports "timed out" and fails the check.
const REQUEST_TIMEOUT_S = 15;
const REPLY_BYTES = 2048;
// Bash builtins only, like `true`: a forked `head | tr` costs more than the reply itself on a
// loaded machine, and the two requests must differ in their reply alone.
const REPLY_SCRIPT = `printf -v x '%${REPLY_BYTES}s' ''; printf '%s\\n' "\${x// /x}"`;
const REPLY_TEXT = `${'x'.repeat(REPLY_BYTES)}\n`;

export type RoundTrips = { failure: string } | { trueMs: number[]; replyMs: number[] };

// Runs `true` and the 2 kB reply SAMPLES times each (after one warm-up) in `session`.
export async function measureRoundTrips(ep: Endpoint, secret: string | null, session: string, samples = SAMPLES): Promise<RoundTrips> {
  const trueMs: number[] = [];
  const replyMs: number[] = [];
  const warm = await timed(ep, secret, session, 'true');
  if (warm.failure !== null) return { failure: `\`true\` ${warm.failure}` };
  for (let i = 0; i < samples; i++) {
    const t = await timed(ep, secret, session, 'true');
    if (t.failure !== null) return { failure: `\`true\` ${t.failure}` };
    const r = await timed(ep, secret, session, REPLY_SCRIPT, REPLY_TEXT);
    if (r.failure !== null) return { failure: `the 2 kB reply ${r.failure}` };
    trueMs.push(t.ms);
    replyMs.push(r.ms);
  }
  return { trueMs, replyMs };
}

// The verdict on measured round trips.
export function roundTripCheck(m: RoundTrips): Check {
  if ('failure' in m) {
    return problem('round-trip', `a command through the chain failed: ${m.failure}`, 'see the daemon log (`journalctl --user -u pty-relay -o cat`) and run `pty-relay doctor --server` on the server');
  }
  const t = median(m.trueMs);
  const r = median(m.replyMs);
  const n = `median of ${m.trueMs.length} each`;
  // The stall delays every reply that carries output, so it shows in the fastest samples too,
  // where a busy machine's noise (which only ever adds) does not: both must show it.
  const stall = Math.min(r - t, Math.min(...m.replyMs) - Math.min(...m.trueMs));
  if (stall > NAGLE_MARGIN_MS) {
    return warning(
      'round-trip',
      `a 2 kB reply takes ${ms(r)} against ${ms(t)} for \`true\` (${n}): the Nagle stall of a plain \`ssh -N\` tunnel`,
      'use `pty-relay tunnel SERVER` (ssh -tt; README "Tunnels") instead of `ssh -N -L`',
    );
  }
  return ok('round-trip', `\`true\` ${ms(t)}, a 2 kB reply ${ms(r)} (${n})`);
}

// The middle value (the mean of the two middle ones for an even count).
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function ms(v: number): string {
  return `${v.toFixed(1)} ms`;
}

// One exec request as `printf … | nc -N` sends it (text, then EOF; no trailer), timed from
// connect to the daemon's close. Without a trailer an empty reply is a bare FIN, which a
// stalled tunnel passes at once: that is what makes `true` the baseline.
function timed(ep: Endpoint, secret: string | null, session: string, script: string, expect = ''): Promise<{ ms: number; failure: string | null }> {
  const head = `${secret !== null ? `#!auth ${secret}\n` : ''}#!session ${session}\n#!timeout ${REQUEST_TIMEOUT_S}\n`;
  return new Promise((resolve) => {
    const start = performance.now();
    const socket = connect(ep, true);
    const chunks: Buffer[] = [];
    let error: Error | null = null;
    socket.on('connect', () => socket.end(`${head}${script}\n`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => (error = err));
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      const elapsed = performance.now() - start;
      const reply = Buffer.concat(chunks).toString('utf8');
      if (error === null && reply === expect) return resolve({ ms: elapsed, failure: null });
      const said = error !== null ? error.message : (reply.trim().split('\n').pop() ?? '');
      resolve({ ms: elapsed, failure: said === '' ? 'got no reply' : `got "${said.slice(0, 200)}"` });
    });
  });
}
