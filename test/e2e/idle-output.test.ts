// Output printed while no command ran (a background job at the prompt) reaches the agent: the
// next reply on the session starts with it under one `pty-relay:` line, once (issue 22); it is
// not counted as delivered when that reply's client has gone, and the prompt, a person's typing
// at it and a resize never count. Real nc, bash, a FIFO to say when the background job prints,
// and pty-client in tmux.
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RawClient } from '../helpers/clients';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { execRequests } from '../helpers/exec-requests';
import { waitFor, within } from '../helpers/deadline';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
const NOTICE = (bytes: number): RegExp => new RegExp(`^pty-relay: printed while no command ran \\(${bytes} bytes since \\d\\d:\\d\\d:\\d\\d\\):\\n`);
let d: TestDaemon;
let tmux: Tmux | undefined;

beforeAll(async () => {
  d = await startDaemon({ bashrc: "PS1='prompt> '\n" });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});
afterEach(() => tmux?.kill());

const { req, fifo } = execRequests(() => d);

// A background job in `session` that prints `text` once the test writes to its FIFO; resolves
// once the session's screen shows it (the daemon has read it).
async function printLater(session: string, text: string): Promise<() => Promise<void>> {
  const f = fifo();
  expect(await req(session, `(read -r _ < ${f.path}; printf '${text}') >/dev/tty 2>&1 &\n`)).toBe('');
  // The prompt is back (output between its start and its end is the prompt's, not kept).
  await waitFor('the prompt', async () => (/\nprompt>\s*\npty-relay: screen /.test(await req(session, '#!screen\n')) ? true : undefined));
  return async () => {
    f.release();
    // Its last line, after the prompt or on a line of its own (the command's echo holds it too).
    const line = (text.split('\\n').filter((l) => l !== '').pop() ?? '').replace(/[?]/g, '\\?');
    const last = new RegExp(`^(?:prompt> )?${line}\\s*$`, 'm');
    await waitFor(`the screen of ${session} to show ${last}`, async () => (last.test(await req(session, '#!screen\n')) ? true : undefined));
  };
}

it('starts the next reply with what a background job printed at the prompt, once', async () => {
  const print = await printLater('bg', 'tick 1\\ntick 2\\n');
  await print();
  const r = await req('bg', 'echo mine\n');
  expect(r).toMatch(NOTICE(14));
  expect(r.replace(NOTICE(14), '')).toBe('tick 1\ntick 2\nmine\n');
  expect(await req('bg', 'echo again\n')).toBe('again\n');
  // #!wait and #!send replies carry it too; #!screen does not take it.
  const later = await printLater('bg', 'late\\n');
  await later();
  expect(await req('bg', '#!wait\n')).toMatch(/^pty-relay: printed while no command ran \(5 bytes since [\d:]+\):\nlate\n/);
  expect(await req('bg', 'echo last\n')).toBe('last\n');
});

it('keeps it for the next reply when the client of the one that carried it has gone', async () => {
  const print = await printLater('gone', 'lost?\\n');
  await print();
  const f = fifo();
  const client = new RawClient(d.port);
  client.send(`#!session gone\necho one; read -r x < ${f.path}; echo two\n`);
  await waitFor('the reply to begin', () => (client.text().includes('one\n') ? true : undefined));
  expect(client.text()).toMatch(/^pty-relay: printed while no command ran \(6 bytes since [\d:]+\):\nlost\?\none\n$/);
  client.socket.destroy();
  await within('the client to go', client.closed, 5_000);
  f.release();
  // The job's output comes again too, said before it (the vanished reply may have carried it).
  expect(await req('gone', '#!wait\n')).toMatch(/^pty-relay: printed while no command ran \(6 bytes since [\d:]+\):\nlost\?\npty-relay: offsets 0 to (4|8) of job 2's output were sent before, in a reply that may not have reached its client \(it left before that reply ended\); they are repeated here\none\ntwo\n$/);
  expect(await req('gone', 'echo clean\n')).toBe('clean\n');
});

it('never counts the prompt, a person typing at it, or a resize', async () => {
  tmux = new Tmux();
  tmux.start('a', [process.execPath, CLIENT_BIN, '--port', String(d.port), 'typed'], { HOME: d.home }, 100, 30);
  await tmux.waitScreen('a', /^prompt>\s*$/m);
  expect(await req('typed', 'echo first\n')).toBe('first\n');
  await tmux.waitScreen('a', /^first\s*\nprompt>\s*$/m);
  tmux.type('a', 'half-typed', false);
  await tmux.waitScreen('a', /^prompt> half-typed\s*$/m);
  tmux.keys('a', 'C-u');
  await tmux.waitScreen('a', /^first\s*\nprompt>\s*$/m);
  tmux.resize('a', 90, 25);
  tmux.type('a', 'echo typed-here');
  await tmux.waitScreen('a', /^typed-here\s*\nprompt>\s*$/m);
  expect(await req('typed', 'echo second\n')).toBe('second\n');
  // Return redraws the prompt (and its B mark) before the line's echo (the T mark's binding): still
  // not output printed at the prompt. A line that runs nothing, then one that runs.
  tmux.type('a', '   ');
  tmux.type('a', ': typed-again');
  await waitFor('the typed job', async () => (/: typed-again\n$/.test(await req('typed', '#!jobs\n')) ? true : undefined));
  expect(await req('typed', 'echo third\n')).toBe('third\n');
});
