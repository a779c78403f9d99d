// `pty-relay ls` and `doctor` say who holds each session's program: a holder (with its pid), none
// (--no-holders), or nobody any more (a holder that died while no daemon ran: history only).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { RELAY_BIN, type TestDaemon } from '../helpers/daemon';
import { HeldDaemons } from '../helpers/held-daemons';
import { gone } from '../helpers/pids';

const daemons = new HeldDaemons();
afterEach(() => daemons.cleanup());

interface Row { name: string; pid: number | null; holder?: { state: string; pid: number | null } }
const ls = async (d: TestDaemon): Promise<{ text: string; rows: Row[] }> => ({
  text: (await run([process.execPath, RELAY_BIN, 'ls', '-p', String(d.port)], '')).stdout,
  rows: JSON.parse((await run([process.execPath, RELAY_BIN, 'ls', '--json', '-p', String(d.port)], '')).stdout) as Row[],
});
const doctorHolders = async (d: TestDaemon): Promise<string> => {
  const ready = await d.waitLog('server.listening');
  const runtime = path.dirname((ready.addresses as string[]).find((a) => a.startsWith('unix:'))!.slice(5));
  const r = await run([process.execPath, RELAY_BIN, 'doctor', '--server', '--runtime-dir', runtime], '', 60_000, { PTY_RELAY_SECRET: '' });
  return r.stdout.split('\n').find((l) => / holders /.test(l)) ?? r.stdout;
};
it('lists each holder by pid, and after a crash the session whose holder died as lost, in words', async () => {
  const d1 = await daemons.start();
  const shells = await Promise.all(['a', 'b'].map(async (n) => Number((await nc(d1.port, `#!session ${n}\necho hello-${n}; echo $$ >/dev/null\necho $$\n`)).stdout.trim().split('\n').pop())));
  const before = await ls(d1);
  const holderOf = (n: string): number => before.rows.find((r) => r.name === n)!.holder!.pid as number;
  for (const [i, n] of ['a', 'b'].entries()) {
    expect(before.rows.find((r) => r.name === n)?.holder?.state).toBe('held');
    // The pid is the holder's: the parent of the session's shell, running pty-relay-holder.
    expect(fs.readFileSync(`/proc/${shells[i]}/stat`, 'latin1').split(') ')[1]!.split(' ')[1]).toBe(String(holderOf(n)));
    expect(fs.readFileSync(`/proc/${holderOf(n)}/cmdline`, 'latin1')).toContain('pty-relay-holder');
    expect(before.text).toMatch(new RegExp(`^${n} +${shells[i]} +held ${holderOf(n)} +`, 'm'));
  }
  expect(before.text).toMatch(/^NAME +PID +HOLDER +CLIENTS /);
  expect(await doctorHolders(d1)).toMatch(new RegExp(`^ok +holders +held by their holders, surviving a daemon crash: (a \\(holder pid ${holderOf('a')}\\), b|b \\(holder pid ${holderOf('b')}\\), a)`));

  await d1.crash();
  process.kill(holderOf('b'), 'SIGKILL'); // b's holder dies too, with no daemon to notice
  await gone("b's shell to be hung up with its terminal", shells[1] as number);
  const d2 = await daemons.start({ reuse: { home: d1.home, runtime: d1.runtime } });
  await d2.waitLog('session.recovered', (l) => l.session === 'b' && l.shell === false);
  const after = await ls(d2);
  expect(after.rows.find((r) => r.name === 'a')?.holder).toEqual({ state: 'held', pid: holderOf('a') });
  expect(after.rows.find((r) => r.name === 'b')?.holder).toEqual({ state: 'lost', pid: null });
  expect(after.text).toMatch(/^b +- +LOST +/m);
  expect(after.text).toContain('lost holder b: its holder died while no daemon ran, so its shell is gone; its history and job output are kept (pty-relay jobs, #!output N); the next request starts a new shell\n');
  expect(await doctorHolders(d2)).toMatch(/^warning +holders +held by their holders, surviving a daemon crash: a \(holder pid \d+\); session b: its holder died while no daemon ran, .*; fix: nothing to repair/);
  // What it says is kept is kept.
  expect((await nc(d2.port, '#!session b\n#!output 1\n')).stdout).toContain('hello-b');
});

it('says a session without a holder is not held (--no-holders), and doctor warns it ends with the daemon', async () => {
  const d = await daemons.start({ args: ['--no-holders'] });
  const pid = Number((await nc(d.port, 'echo $$\n')).stdout.trim());
  const { text, rows } = await ls(d);
  expect(rows[0]?.holder).toEqual({ state: 'none', pid: null });
  expect(text).toMatch(new RegExp(`^default +${pid} +none +`, 'm'));
  expect(await doctorHolders(d)).toMatch(/^warning +holders +no session is held by a holder; not held, ending with the daemon: default; fix: /);
});
