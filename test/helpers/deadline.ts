// Waiting with deadlines: tests wait on events or output, never on fixed sleeps. A deadline only
// stops a test that hangs; a passing test waits as long as the event takes. `make test-load`
// stretches every deadline by PTY_RELAY_TEST_DEADLINE_SCALE, since it saturates the machine on
// purpose (a deadline is never shortened).
export const DEADLINE_SCALE = Math.max(1, Number(process.env.PTY_RELAY_TEST_DEADLINE_SCALE ?? '1') || 1);

// `ms` stretched for the machine's load (see above).
export function deadline(ms: number): number {
  return ms * DEADLINE_SCALE;
}

// Polls `check` until it returns a value other than undefined, or fails after `ms`.
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + deadline(ms);
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${deadline(ms)} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Rejects if `p` has not settled within `ms`.
export function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${deadline(ms)} ms: ${what}`)), deadline(ms));
    }),
  ]).finally(() => clearTimeout(timer));
}
