// A reply costs no more bytes than a local shell tool's pipe capture of the same command
// (`bash -c CMD 2>&1 | cat`, what an agent's own shell tool returns), within 10 %: exec jobs see
// COLUMNS=80 (pytest pads its separators to the terminal's width: 1.74x at 200 columns) and `ls`
// lists one name a line, as into a pipe; the terminal keeps its own size for a person attached,
// and a request with `#!interactive` (a terminal's stdin) gets the terminal as it is.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { waitFor } from '../helpers/deadline';
import { startDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let dir: string;
beforeAll(async () => {
  d = await startDaemon();
  dir = fs.mkdtempSync(path.join(d.home, 'width-'));
  // A failing test run: pytest's header, a failure with its traceback, the summary line.
  fs.writeFileSync(path.join(dir, 'test_calc.py'), ['def add(a, b):', '    return a - b', '', ...[1, 2, 3].map((i) => `def test_add_${i}():\n    assert add(${i}, 2) == ${i + 2}\n`), 'def test_ok():', '    assert True', ''].join('\n'));
  // Mostly short names and a few long ones, as /usr/bin has: the columns pad to the longest.
  const names = Array.from({ length: 150 }, (_, i) => (i % 25 === 0 ? `f-${i}-${'long'.repeat(8)}.txt` : `f-${i}.c`));
  for (const n of names) fs.writeFileSync(path.join(dir, n), '');
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

// The bytes a local agent's shell tool would get back.
function pipeCapture(cmd: string): number {
  try {
    return execFileSync('bash', ['-c', `${cmd} 2>&1 | cat`], { cwd: dir, env: { PATH: process.env.PATH, HOME: d.home, LANG: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] }).length;
  } catch (err) {
    return (err as { stdout: Buffer }).stdout.length;
  }
}

// The bytes of the relay's reply, without its own closing line ("pty-relay: exit status N").
async function relayReply(cmd: string, interactive = false): Promise<string> {
  const r = await nc(d.port, `#!timeout 60\n${interactive ? '#!interactive\n' : ''}cd ${dir} && ${cmd}\n`, 70_000);
  return r.stdout.replace(/pty-relay: exit status \d+\n$/, '');
}

it('a failing pytest run costs no more than its pipe capture (within 10 %)', async () => {
  const cmd = '/usr/bin/python3 -m pytest -p no:cacheprovider test_calc.py';
  const reply = await relayReply(cmd);
  expect(reply).toMatch(/3 failed, 1 passed/);
  expect(reply).toMatch(/^={20,80} FAILURES ={20,80}$/m);
  const pipe = pipeCapture(cmd);
  expect(Buffer.byteLength(reply) / pipe).toBeLessThanOrEqual(1.1);
});

it('ls costs no more than its pipe capture (within 10 %), and the terminal keeps its width', async () => {
  const reply = await relayReply('ls');
  expect(Buffer.byteLength(reply) / pipeCapture('ls')).toBeLessThanOrEqual(1.1);
  expect(Buffer.byteLength(reply) / pipeCapture('ls')).toBeGreaterThanOrEqual(0.9);
  // The shell's own COLUMNS, ls alias and checkwinsize are as they were (a person's terminal).
  const after = await relayReply('echo "$COLUMNS"; alias ls 2>&1; shopt -p checkwinsize', true);
  expect(after).toMatch(/^200\nbash: alias: ls: not found\nshopt -s checkwinsize\n$/);
  expect(await relayReply('alias ps 2>&1', true)).toBe('bash: alias: ps: not found\n');
  // A user's ls alias keeps its options, which come after the one-a-line default.
  await relayReply("alias ls='ls -l'");
  expect(await relayReply('ls')).toMatch(/^total \d+\n(.*\n)*-rw\S* .* f-1\.c\n/);
  expect(await relayReply('alias ls', true)).toBe("alias ls='ls -l'\n");
});

it('ps shows whole lines, as into a pipe, though COLUMNS is 80; a user\'s ps alias is left alone', async () => {
  const long = 'a'.repeat(150);
  const pid = Number((await relayReply(`exec /usr/bin/python3 -c 'import time; time.sleep(600)' ${long} >/dev/null & echo $!`)).trim());
  await waitFor('python3 to run', () => (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(long) ? true : undefined));
  const reply = await relayReply(`ps -o args= -p ${pid}; kill ${pid}`);
  expect(reply).toContain(`/usr/bin/python3 -c import time; time.sleep(600) ${long}\n`);
  await relayReply("alias ps='ps -o pid='");
  expect(await relayReply('ps -p $$')).toMatch(/^ *\d+\n$/);
  expect(await relayReply('alias ps; unalias ps', true)).toBe("alias ps='ps -o pid='\n");
});
