// Sessions outlive a daemon that dies without handing them over (kill -9): each session's holder
// keeps its program and its output, the journal keeps what the dead daemon knew, and the next
// daemon on the same runtime directory takes every session over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { gone } from '../helpers/pids';

const started: TestDaemon[] = [];
async function daemon(opts: Parameters<typeof startDaemon>[0] = {}): Promise<TestDaemon> {
  const d = await startDaemon(opts);
  started.push(d);
  return d;
}
afterEach(async () => {
  // The last daemon of each test ends every session (and so every holder) on its way out; holders
  // a failed test left without a daemon are ended by PID (they run in the test's runtime directory).
  const runtimes = new Set(started.map((d) => d.runtime));
  for (const d of started.splice(0).reverse()) if (d.proc.exitCode === null && d.proc.signalCode === null) await d.stop();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('pty-relay-holder') && [...runtimes].some((r) => cwd.startsWith(r))) process.kill(Number(pid), 'SIGTERM');
    } catch {
      // gone, or not ours to look at
    }
  }
  for (const r of runtimes) fs.rmSync(r, { recursive: true, force: true });
});

const lines = (file: string): number => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').length - 1 : 0);
const ticks = (text: string): number[] => [...text.matchAll(/^tick(\d+)$/gm)].map((m) => Number(m[1]));
const holders = (runtime: string): string[] =>
  fs.readdirSync(runtime).flatMap((d) => (d.startsWith('d-') ? fs.readdirSync(path.join(runtime, d)).filter((s) => fs.existsSync(path.join(runtime, d, s, 'holder.sock'))) : []));

describe('a daemon killed with SIGKILL', () => {
  it('leaves a running job running; the next daemon delivers every tick once, the status, and the same shell', async () => {
    const d1 = await daemon();
    const shell = (await nc(d1.port, 'cd /tmp && export KEEP=kept && echo $$\n')).stdout.trim();
    const marker = path.join(d1.home, 'ticks');
    const first = (await nc(d1.port, `#!timeout 1\nfor i in $(seq 1 40); do echo tick$i; echo $i >> ${marker}; sleep 0.1; done; exit 3\n`)).stdout;
    expect(first).toMatch(/pty-relay: still running as job 2 /);
    // The reply counts as delivered once the daemon saw it reach its client (it logs exec.done
    // then); a crash before that would rightly repeat its output rather than risk losing it.
    await d1.waitLog('exec.done', (l) => l.job === 2);
    await d1.crash();
    // Nobody reads the terminal now but the holder: the job goes on.
    const atCrash = lines(marker);
    await waitFor('the job to go on without a daemon', () => (lines(marker) >= Math.min(40, atCrash + 5) ? true : undefined), 20_000);
    const d2 = await daemon({ reuse: { home: d1.home, runtime: d1.runtime } });
    await d2.waitLog('session.recovered', (l) => l.session === 'default' && l.shell === true);
    const rest = (await nc(d2.port, '#!wait 2\n', 30_000)).stdout;
    expect(ticks(first + rest)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(rest).toMatch(/pty-relay: exit status 3\n$/);
    expect((await nc(d2.port, 'echo $$ $PWD $KEEP\n')).stdout).toBe(`${shell} /tmp kept\n`);
    // The history survived too.
    expect((await nc(d2.port, '#!jobs\n')).stdout).toMatch(/^2 +done +3 /m);
  });

  it('keeps twenty sessions at once', async () => {
    const d1 = await daemon();
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
    // Each answer whole (stdout, stderr, exit code) in a failure's message: a reply without a pid
    // was once seen under load and never explained.
    const ask = (port: number): Promise<string[]> => Promise.all(names.map((n) => nc(port, `#!session ${n}\necho $$\n`))).then((rs) => {
      expect(rs.every((r) => /^\d+$/.test(r.stdout.trim())), JSON.stringify(rs)).toBe(true);
      return rs.map((r) => r.stdout.trim());
    });
    const pids = await ask(d1.port);
    await d1.crash();
    const d2 = await daemon({ reuse: { home: d1.home, runtime: d1.runtime } });
    const after = await ask(d2.port);
    expect(after).toEqual(pids);
    expect(d2.logs.filter((l) => l.evt === 'session.recovered')).toHaveLength(20);
  });

  it('bounds what a holder keeps, and says how much was lost', async () => {
    const d1 = await daemon({ args: ['--holder-buffer', '64k'] });
    const marker = path.join(d1.home, 'flooded');
    const go = path.join(d1.home, 'go');
    expect((await nc(d1.port, 'true\n')).code).toBe(0); // the shell is up: the next job runs at once
    // The flood starts only once the daemon is gone.
    const r = (await nc(d1.port, `#!timeout 0.2\nwhile [ ! -e ${go} ]; do sleep 0.05; done; seq 1 200000; touch ${marker}\n`)).stdout;
    expect(r).toMatch(/still running as job 2/);
    await d1.crash();
    fs.writeFileSync(go, '');
    // ~1.3 MB printed with no daemon: the program never blocked on a full terminal.
    await waitFor('the flood to end', () => (fs.existsSync(marker) ? true : undefined), 30_000);
    const d2 = await daemon({ reuse: { home: d1.home, runtime: d1.runtime } });
    const lost = await d2.waitLog('session.recovered');
    expect(lost.lost as number).toBeGreaterThan(1_000_000);
    const rest = (await nc(d2.port, '#!limit 0\n#!wait 2\n', 30_000)).stdout;
    expect(rest).toContain(`pty-relay: ${lost.lost as number} bytes of output were lost while no daemon ran`);
    expect(rest).toMatch(/^200000$/m); // the newest output is what was kept
    expect(rest).not.toMatch(/^1$/m);
  });

  it('hangs the session up when no daemon comes back within --orphan-timeout', async () => {
    const d1 = await daemon({ args: ['--orphan-timeout', '1'] });
    const pid = Number((await nc(d1.port, 'echo $$\n')).stdout.trim());
    await d1.crash();
    await gone('the orphaned shell to be hung up', pid, 20_000);
    await waitFor('the holder to remove its socket', () => (holders(d1.runtime).length === 0 ? true : undefined));
  });
});

describe('a daemon stopped with --keep-sessions', () => {
  it('leaves its sessions to their holders, and the next daemon takes them over', async () => {
    const d1 = await daemon({ args: ['--keep-sessions'] });
    const pid = (await nc(d1.port, 'export KEEP=yes; echo $$\n')).stdout.trim();
    expect(await d1.stop({ keepDirs: true })).toBe(0);
    const d2 = await daemon({ reuse: { home: d1.home, runtime: d1.runtime } });
    expect((await nc(d2.port, 'echo $$ $KEEP\n')).stdout).toBe(`${pid} yes\n`);
  });
});
