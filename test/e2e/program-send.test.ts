// A program session (`pty-relay new NAME -- CMD`: no shell, no jobs) is seen with `#!screen` and
// driven with `#!send`, through real nc and real programs in a real PTY (issue 22): the reply to a
// send is what changed on the screen (a REPL's answer: its new rows) and one line that says whether
// the program waits for input (with its prompt), still runs after the timeout, or ended (with its
// exit status). Commands, `#!wait` and `#!kill` are refused naming what works. The same through MCP.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { RELAY_BIN, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { execRequests } from '../helpers/exec-requests';
import { relayMcp, type McpSession } from '../helpers/mcp';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const { req, fifo } = execRequests(() => d);

// `pty-relay new NAME -- ARGV…`, in the daemon's HOME.
async function newProgram(name: string, argv: string[]): Promise<void> {
  const made = await run([process.execPath, RELAY_BIN, 'new', name, '--port', String(d.port), '--', ...argv], '');
  expect(made.stdout).toMatch(new RegExp(`^session "${name}" started \\(pid \\d+\\)`));
}

// Asks `#!screen` until the program shows `shown` and waits for input; returns that reply.
function settledScreen(name: string, shown: RegExp, command: string): Promise<string> {
  const waiting = `\npty-relay: screen 200x50, cursor at row \\d+ column \\d+, (?:normal|alternate) screen[^;]*; the program \`${command}\` is waiting for input\n$`;
  return waitFor(`${name}'s screen`, async () => {
    const r = await req(name, '#!screen\n');
    return shown.test(r) && new RegExp(waiting).test(r) ? r : undefined;
  }, 20_000);
}

const waitingLine = (name: string, command: string, prompt: string): string =>
  `pty-relay: the program \`${command}\` in session ${name} is waiting for input; prompt: ${JSON.stringify(prompt)}; type: #!send TEXT\\r; look: #!screen; end it: pty-relay kill ${name} (or #!send its quit keys); first line of each: #!session ${name}\n`;

describe('a program session through nc', () => {
  it('python3: #!screen shows it, #!send answers with the new rows and the prompt, a slow line says still running, exit() ends it with its status', async () => {
    await newProgram('py', ['python3', '-q']);
    expect(await settledScreen('py', /^>>>$/m, 'python3 -q')).toMatch(/^>>>\n/);
    expect(await req('py', '#!send 6*7\\r\n')).toBe(`>>> 6*7\n42\n>>>\n${waitingLine('py', 'python3 -q', '>>>')}`);
    // A line the program works on past the timeout: blocked opening a FIFO, not reading the terminal.
    const f = fifo();
    const slow = `print(open("${f.path}").read().strip() + "-slept")`;
    const r = await req('py', `#!timeout 1\n#!send ${slow}\\r\n`);
    expect(r).toMatch(new RegExp(`^>>> ${slow.replace(/[.()+"]/g, '\\$&')}\npty-relay: the program \`python3 -q\` in session py is still running after [\\d.]+ s \\(not waiting for input\\); look: #!screen; type: #!send TEXT\\\\r; interrupt: #!send \\\\x03; end it: pty-relay kill py \\(or #!send its quit keys\\); first line of each: #!session py\n$`));
    expect(await req('py', '#!screen\n')).toMatch(/; the program `python3 -q` is running\n$/);
    f.release();
    expect(await settledScreen('py', /^go-slept\n>>>$/m, 'python3 -q')).toMatch(/^>>> 6\*7\n42\n>>> print/);
    const bye = await req('py', '#!send exit(3)\\r\n');
    expect(bye).toBe('>>> exit(3)\npty-relay: the program `python3 -q` in session py ended with exit status 3; the session has ended with it\n');
    expect((await run([process.execPath, RELAY_BIN, 'ls', '--port', String(d.port)], '')).stdout).not.toMatch(/\npy /);
  });

  it('refuses commands, #!wait, #!jobs, #!output and #!kill, naming #!screen, #!send and how to end it', async () => {
    await newProgram('refuse', ['cat']);
    const notShell = 'pty-relay: error: session "refuse" runs the program `cat`, not a shell: it takes no commands and has no jobs; look at it: #!screen; type into it: #!send TEXT\\r; first line of each: #!session refuse\n';
    for (const text of ['echo hi\n', '#!wait\n', '#!jobs\n', '#!output 1\n']) expect(await req('refuse', text)).toBe(notShell);
    expect(await req('refuse', '#!kill\n')).toBe(
      'pty-relay: error: session "refuse" runs the program `cat`, which has no jobs to stop; end the session: pty-relay kill refuse; or type its quit keys: #!send TEXT\\r; Ctrl-C: #!send \\x03; first line of each: #!session refuse\n',
    );
    // The program got none of it: it still echoes only what #!send types, and Ctrl-D ends it.
    expect(await req('refuse', '#!send hello\\r\n')).toBe(`hello\nhello\n${waitingLine('refuse', 'cat', 'hello')}`);
    expect(await req('refuse', '#!send \\x04\n')).toBe('pty-relay: the program `cat` in session refuse ended with exit status 0; the session has ended with it\n');
  });

  it('sqlite3: a query answered with its rows, and .quit ends it', async () => {
    await newProgram('sq', ['sqlite3']);
    await settledScreen('sq', /^sqlite> ?$/m, 'sqlite3');
    expect(await req('sq', '#!send select 6*7, \'a%s\';\\r\n')).toBe(`sqlite> select 6*7, 'a%s';\n42|a%s\nsqlite>\n${waitingLine('sq', 'sqlite3', 'sqlite>')}`);
    expect(await req('sq', '#!send .quit\\r\n')).toBe('sqlite> .quit\npty-relay: the program `sqlite3` in session sq ended with exit status 0; the session has ended with it\n');
  });

  it('less (a full-screen program): the screen around the cursor, then q ends it', async () => {
    const file = path.join(d.home, 'eighty.txt');
    fs.writeFileSync(file, Array.from({ length: 80 }, (_, i) => `text line ${i + 1}`).join('\n') + '\n');
    await newProgram('pager', ['less', file]);
    await settledScreen('pager', /^text line 1$/m, `less ${file}`);
    const r = await req('pager', '#!send G\n');
    expect(r).toMatch(/^pty-relay: the screen, rows [\d ,and-]+ of 50; the cursor is at row 50, column \d+, on the line marked ">"\n/);
    expect(r).toMatch(/^ {2}text line 80$/m);
    expect(r).toMatch(new RegExp(`\npty-relay: the program \`less ${file}\` in session pager is waiting for input in a full-screen program; prompt: "\\(END\\)"; type: `));
    expect(await req('pager', '#!send q\n')).toMatch(new RegExp(`pty-relay: the program \`less ${file}\` in session pager ended with exit status 0; the session has ended with it\n$`));
  });
});

describe('a program session through MCP', () => {
  let m: McpSession;
  beforeAll(async () => {
    m = await relayMcp(['--port', String(d.port)]);
  });
  afterAll(async () => {
    await m.close();
  });

  it('screen and send drive python3; kill and run say what to do instead; send exit() ends it', async () => {
    await newProgram('pym', ['python3', '-q']);
    const seen = await waitFor('the python prompt through MCP', async () => {
      const s = await m.call('screen', { session: 'pym' });
      return s.structured?.jobState === 'waiting-for-input' ? s : undefined;
    }, 20_000);
    expect(seen.output).toBe('>>>\n');
    expect(seen.structured).toMatchObject({ session: 'pym', jobState: 'waiting-for-input', program: 'python3 -q', altScreen: false });
    expect(seen.text).toMatch(/\n\[screen 200x50, cursor at row 1 column 5; the program `python3 -q` is waiting for input\]$/);
    const s = await m.call('send', { session: 'pym', text: '6*7\n' });
    expect(s.isError).toBe(false);
    expect(s.output).toBe('>>> 6*7\n42\n>>>\n');
    expect(s.structured).toEqual({ target: 'default', session: 'pym', state: 'waiting-for-input', prompt: '>>>', echo: true, program: 'python3 -q' });
    expect(s.text).toMatch(/\[the program `python3 -q` in session "pym" is waiting for input; prompt: ">>>"\. Type: send \{"session":"pym","text":"…"\} \("\\n" is Enter\); see it: screen \{"session":"pym"\}; end it: end_session \{"name":"pym"\} \(or send its quit keys\)\]$/);
    const k = await m.call('kill', { session: 'pym' });
    expect(k.isError).toBe(true);
    expect(k.text).toMatch(/no jobs to stop; end the session: end_session \{"name":"pym"\}; or type its quit keys: send; Ctrl-C: send \{"text":"\\u0003","session":"pym"\}$/);
    const r = await m.call('run', { session: 'pym', command: 'ls' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/not a shell: it takes no commands and has no jobs; look at it: screen \{"session":"pym"\}; type into it: send$/);
    const e = await m.call('send', { session: 'pym', text: 'exit()\n' });
    expect(e.structured).toEqual({ target: 'default', session: 'pym', state: 'done', exitStatus: 0, program: 'python3 -q' });
    expect(e.text).toBe('>>> exit()\n[the program `python3 -q` in session "pym" ended: exit status 0; the session has ended with it]');
  });
});
