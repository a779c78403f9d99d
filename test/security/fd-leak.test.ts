// No session's shell holds another session's PTY master or the daemon's sockets (finding 7 of
// issue 20): every master was inherited by every later shell, and writing to it typed into that
// session; an upgrade passed them on again. The daemon marks each master close-on-exec when it
// opens it, and the new daemon of an upgrade marks every fd it inherited.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { ROOT } from '../helpers/daemon';
import { install, relayUpgrade, startLive, type LiveDaemon } from '../helpers/upgrade';

let work: string;
let d: LiveDaemon;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-fds-'));
  d = await startLive([process.execPath, install(path.join(work, 'installed'), path.join(ROOT, 'dist'))]);
});
afterAll(async () => {
  await d.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

// What the shell of `session` holds open, beyond stdin/out/err (the PTY's slave) and bash's 255:
// one "N -> target" line each.
async function extraFds(session: string): Promise<string[]> {
  const out = (await nc(d.port, `#!session ${session}\nfor f in /proc/$$/fd/*; do n=\${f##*/}; case $n in 0|1|2|255) ;; *) echo "$n -> $(readlink $f)";; esac; done; echo end-of-fds\n`)).stdout;
  expect(out).toContain('end-of-fds');
  return out.split('\n').filter((l) => / -> /.test(l));
}

it('gives a new shell no other session\'s master and none of the daemon\'s sockets, before and after an upgrade', async () => {
  for (const s of ['one', 'two', 'three']) expect((await nc(d.port, `#!session ${s}\necho up\n`)).stdout).toBe('up\n');
  const leaked = (fds: string[]): string[] => fds.filter((l) => /\/dev\/ptmx|\/dev\/pts\/ptmx|socket:/.test(l));
  expect(leaked(await extraFds('four'))).toEqual([]);
  // The new daemon inherits the masters and the listening sockets on purpose; its shells must not.
  const before = d.pid();
  const up = await relayUpgrade(d.port);
  expect(up.code).toBe(0);
  await d.waitLog('upgrade.serving', (l) => l.pid !== before);
  expect(d.pid()).not.toBe(before);
  expect(leaked(await extraFds('five'))).toEqual([]);
  // An adopted session's shell is as clean, and an old one still answers.
  expect(leaked(await extraFds('one'))).toEqual([]);
  expect(d.logs.filter((l) => l.evt === 'upgrade.fds_inheritable' || l.evt === 'session.master_inheritable')).toEqual([]);
});
