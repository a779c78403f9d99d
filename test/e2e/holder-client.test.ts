// An attached pty-client lives through a daemon crash: while no daemon runs it says it is
// reconnecting, and once a daemon listens on the same port again it reconnects by itself, the
// screen shows the session as it is (a job's output went on meanwhile, in the holder), and every
// line the job printed reaches the terminal exactly once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon';
import { waitFor, deadline } from '../helpers/deadline';
import { HeldDaemons } from '../helpers/held-daemons';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const daemons = new HeldDaemons();
const tmuxes: Tmux[] = [];
afterEach(async () => {
  for (const t of tmuxes.splice(0)) t.kill();
  await daemons.cleanup();
});

const ticks = (text: string): number[] => [...text.matchAll(/^tick-(\d+)\s*$/gm)].map((m) => Number(m[1]));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const lines = (file: string): number => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').length - 1 : 0);

it('reconnects by itself to the daemon started after a kill -9 and shows the session as it is', async () => {
  const d1 = await daemons.start({ bashrc: "PS1='prompt> '\n" });
  const tmux = new Tmux();
  tmuxes.push(tmux);
  tmux.start('c', [process.execPath, CLIENT_BIN, '--port', String(d1.port)], { HOME: d1.home }, 100, 30);
  await tmux.waitScreen('c', /^prompt> *$/m);
  const pane = tmux.pipeTo('c');
  const stop = path.join(d1.home, 'stop');
  const count = path.join(d1.home, 'count');
  // A ticker typed at the prompt: a line every 100 ms, each also counted in a file.
  tmux.type('c', `i=0; while [ ! -e ${stop} ] && [ $i -lt 3000 ]; do i=$((i+1)); echo tick-$i; echo >> ${count}; sleep 0.1; done; echo ticked-$i`);
  await tmux.waitScreen('c', /^tick-5\s*$/m);
  await d1.crash();
  // No daemon: the client says so on its status line and keeps trying; the job goes on in the holder.
  await tmux.waitScreen('c', /\[pty-client\] connection lost: /);
  const atCrash = lines(count);
  await waitFor('the ticker to go on without a daemon', () => (lines(count) >= atCrash + 10 ? true : undefined), 30_000);
  const d2 = await daemons.start({ reuse: { home: d1.home, runtime: d1.runtime }, port: d1.port });
  await d2.waitLog('session.recovered', (l) => l.session === 'default' && l.shell === true);
  await d2.waitLog('attach.attached', () => true, 60_000);
  fs.writeFileSync(stop, '');
  const final = await tmux.waitScreen('c', /^ticked-\d+\s*$/m, 30_000);
  const n = Number(/^ticked-(\d+)\s*$/m.exec(final)?.[1]);
  expect(n).toBeGreaterThan(atCrash + 10);
  // The screen is the session's: the newest ticks in order, the status line gone.
  const shown = ticks(final);
  expect(shown).toEqual(range(n).slice(n - shown.length));
  expect(final).not.toMatch(/\[pty-client\]/);
  // And the terminal got every line once: nothing lost while the daemon was away, nothing repeated.
  // The one exception is the kill itself: output the daemon had read from the terminal but not yet
  // written to its journal (the rest of that event-loop turn; no client is sent it before) dies
  // with it (README "Sessions that survive the daemon"): at most one tick, and never a later one.
  await waitFor('the pane log', () => (fs.readFileSync(pane, 'latin1').includes(`ticked-${n}`) ? true : undefined));
  const log = fs.readFileSync(pane, 'latin1').replace(/\x1b7[\s\S]*?\x1b8/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
  const got = ticks(log);
  const missing = range(n).filter((k) => !got.includes(k));
  expect(got).toEqual(range(n).filter((k) => !missing.includes(k)));
  expect(missing.length).toBeLessThanOrEqual(1);
  for (const k of missing) expect(k).toBeLessThanOrEqual(atCrash + 1);
}, deadline(120_000));

it('stays through a stop with --keep-sessions (systemctl restart) and reconnects to the next daemon', async () => {
  const d1 = await daemons.start({ bashrc: "PS1='prompt> '\n", args: ['--keep-sessions'] });
  const tmux = new Tmux();
  tmuxes.push(tmux);
  tmux.start('c', [process.execPath, CLIENT_BIN, '--port', String(d1.port)], { HOME: d1.home }, 100, 30);
  await tmux.waitScreen('c', /^prompt> *$/m);
  tmux.type('c', 'export MARK=before-stop; echo $$');
  const pid = /^(\d+)\s*$/m.exec(await tmux.waitScreen('c', /^\d+\s*$/m))?.[1];
  expect(await d1.stop({ keepDirs: true })).toBe(0);
  // Told the daemon is shutting down: it waits for the next one instead of exiting, and says why
  // for as long as it retries, whatever the last retry met (nothing listens: no daemon yet).
  const retrying = await tmux.waitScreen('c', /attempt [2-9]/);
  expect(retrying).toMatch(/\[pty-client\] connection lost: the daemon is shutting down \(SIGTERM\)/);
  await daemons.start({ reuse: { home: d1.home, runtime: d1.runtime }, port: d1.port, args: ['--keep-sessions'] });
  tmux.type('c', 'echo now-$MARK-$$');
  await tmux.waitScreen('c', new RegExp(`^now-before-stop-${pid}\\s*$`, 'm'), 60_000);
  expect(tmux.screen('c')).not.toMatch(/\[exit:/);
}, deadline(120_000));

it('draws again what its status covered while the daemon was away, and sends typed input once', async () => {
  const d1 = await daemons.start({ bashrc: "PS1='prompt> '\n" });
  const tmux = new Tmux();
  tmuxes.push(tmux);
  tmux.start('c', [process.execPath, CLIENT_BIN, '--port', String(d1.port)], { HOME: d1.home }, 100, 30);
  await tmux.waitScreen('c', /^prompt> *$/m);
  // A full screen, then a green half line on the last row, where the status will be drawn; then a
  // job that waits for a line, silent (a shell prompt would be redrawn by readline on a resize).
  tmux.type('c', "seq 1 60; printf '\\e[32mhalf-%s\\e[0m' line; read -r x; echo got-$x");
  await tmux.waitScreen('c', /^60\s*\nhalf-line *$/m);
  const pane = tmux.pipeTo('c');
  await d1.crash();
  const away = await tmux.waitScreen('c', /\[pty-client\] connection lost: /);
  expect(away).not.toMatch(/^half-line/m); // covered
  // Typed while no daemon runs: kept, and sent once the client is back.
  tmux.type('c', 'away');
  await tmux.waitScreen('c', /5 bytes of input waiting/);
  const d2 = await daemons.start({ reuse: { home: d1.home, runtime: d1.runtime }, port: d1.port });
  await d2.waitLog('attach.attached', () => true, 60_000);
  // The half line is back where the status was (else blanks before "away"), in its colour; the
  // line typed away reached `read` once; the command typed before the crash was not typed again
  // (the new daemon knows nothing of this client's input: it trusts what went out before).
  const back = await tmux.waitScreen('c', /^half-lineaway\s*\ngot-away\s*\nprompt> *$/m, 30_000);
  expect(back).toMatch(/^59\s*\n60\s*\nhalf-line/m);
  expect(back).not.toMatch(/\[pty-client\]/);
  expect(tmux.screen('c', { escapes: true })).toMatch(/\x1b\[32mhalf-line/);
  expect(fs.readFileSync(pane, 'latin1')).not.toContain('seq 1 60');
}, deadline(120_000));
