// Exec jobs run with the terminal's output processing off (shell/newlines.ts): their replies
// keep the program's own line endings, a terminal attached meanwhile still shows every line at
// the left edge, and only plain exec jobs get it: #!interactive jobs and commands typed in the
// terminal see the terminal as it was.
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const PROMPT = /^prompt>\s*$/m;
const OPOST = `stty -a </dev/tty | grep -o -- '-\\?opost' | sed 's/^/mode:/'`;
let d: TestDaemon;
let tmux: Tmux | undefined;

beforeAll(async () => {
  d = await startDaemon({ bashrc: "PS1='prompt> '\n" });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});
afterEach(() => tmux?.kill());

function attach(session: string): Tmux {
  const t = new Tmux();
  t.start('a', [process.execPath, CLIENT_BIN, '--port', String(d.port), session], { HOME: d.home }, 100, 40);
  return t;
}

it('replies with the exact bytes, and an attached terminal and #!screen show each line at the left edge', async () => {
  tmux = attach('lines');
  await tmux.waitScreen('a', PROMPT);
  const lines = Array.from({ length: 12 }, (_, i) => `line-${i + 1}`);
  const r = await nc(d.port, `#!session lines\nprintf '%s\\n' ${lines.join(' ')}; printf 'crlf\\r\\nlast\\n'\n`);
  expect(r.stdout).toBe(`${lines.join('\n')}\ncrlf\r\nlast\n`);
  const shown = new RegExp(`^${lines.join('\\n')}\\ncrlf\\s*\\nlast\\s*\\nprompt>`, 'm');
  await tmux.waitScreen('a', shown);
  const screen = (await nc(d.port, '#!session lines\n#!screen\n')).stdout;
  expect(screen).toMatch(shown);
});

it('turns output processing off for plain exec jobs only', async () => {
  expect((await nc(d.port, `#!session modes\n${OPOST}\n`)).stdout).toBe('mode:-opost\n');
  expect((await nc(d.port, `#!session modes\n#!interactive\n${OPOST}\n`)).stdout).toBe('mode:opost\n');
  expect((await nc(d.port, `#!session modes\n#!raw\nprintf 'a\\nb\\r\\n'\n`)).stdout).toBe('a\nb\r\n');
  tmux = attach('modes');
  tmux.type('a', '');
  await tmux.waitScreen('a', PROMPT);
  tmux.type('a', OPOST);
  await tmux.waitScreen('a', /^mode:opost\s*$/m);
  expect((await nc(d.port, `#!session modes\n${OPOST}\n`)).stdout).toBe('mode:-opost\n');
  tmux.type('a', `${OPOST} | sed s/mode/again/`);
  await tmux.waitScreen('a', /^again:opost\s*$/m);
});
