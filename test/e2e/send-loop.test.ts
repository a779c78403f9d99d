// `#!send` closes its loop (issue 22), through real nc and real programs in a real PTY: a send that
// ends the job ends with its status (sqlite3's `.quit`, less's `q`, vim's `:wq`); while a
// full-screen program waits, the reply shows the screen rows around the cursor as the program
// left them and its prompt is the cursor's line now (vim after `25G`), so an edit needs no
// `#!screen` call; a line-mode program's reply stays exactly its output. The same through MCP.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { execRequests } from '../helpers/exec-requests';
import { relayMcp, type McpSession } from '../helpers/mcp';

let d: TestDaemon;
let dir: string;
beforeAll(async () => {
  d = await startDaemon();
  dir = fs.mkdtempSync(path.join(d.home, 'send-'));
  fs.writeFileSync(path.join(dir, 'fifty.txt'), Array.from({ length: 50 }, (_, i) => `text line ${i + 1}`).join('\n') + '\n');
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

const { req } = execRequests(() => d);

// The lines of a screen window (the rows under its `pty-relay:` line), with their marks.
function windowRows(reply: string): string[] {
  const lines = reply.split('\n');
  const at = lines.findIndex((l) => l.startsWith('pty-relay: the screen, '));
  expect(at).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > at && l.startsWith('pty-relay: '));
  return lines.slice(at + 1, end);
}

const ENDED = (job: number): RegExp => new RegExp(`(^|\\n)pty-relay: job ${job} ended with exit status 0\\n$`);

describe('#!send through nc', () => {
  it('to sqlite3: its answer exactly, and `.quit` ends with the job\'s status', async () => {
    expect(await req('sq', `cd ${dir}\n`)).toBe('');
    expect(await req('sq', '#!interactive\nsqlite3\n')).toMatch(/sqlite> \npty-relay: job 2 is waiting for input; prompt: "sqlite>"; /);
    expect(await req('sq', '#!send select 6*7;\\r\n')).toMatch(/^select 6\*7;\n42\nsqlite> \npty-relay: job 2 is waiting for input; prompt: "sqlite>"; answer: #!send TEXT\\r; look: #!screen; stop: #!kill 2; first line of each: #!session sq\n$/);
    expect(await req('sq', '#!send .quit\\r\n')).toMatch(/^\.quit\n(\r?\n)?pty-relay: job 2 ended with exit status 0\n$/);
    expect(await req('sq', 'echo after\n')).toBe('after\n');
  });

  it('to less: the page while it waits, and `q` ends with the job\'s status', async () => {
    expect(await req('ls1', `cd ${dir}\n`)).toBe('');
    const shown = await req('ls1', 'less fifty.txt\n');
    expect(shown).toMatch(/^pty-relay: the screen, rows 1-50 of 50; the cursor is at row 50, column \d+, on the line marked ">"\n/);
    expect(windowRows(shown).slice(0, 2)).toEqual(['  text line 1', '  text line 2']);
    expect(shown).toMatch(/\n> fifty\.txt\npty-relay: job 2 is waiting for input in a full-screen program; prompt: "fifty\.txt"; /);
    expect(await req('ls1', '#!send q\n')).toMatch(/^(\r?\n)?pty-relay: job 2 ended with exit status 0\n$/);
  });

  it('to vim: `25G` shows line 25 at the cursor with the lines around it, and `:wq` saves and ends with status 0', async () => {
    expect(await req('vi', `cd ${dir}\n`)).toBe('');
    expect(windowRows(await req('vi', '#!interactive\nvim -u NONE -N -n fifty.txt\n'))[0]).toBe('> text line 1');
    const moved = await req('vi', '#!send 25G\n');
    expect(moved).toMatch(/^pty-relay: the screen, rows 13-37( and 50)? of 50 \(the others: #!screen\); the cursor is at row 25, column 1, on the line marked ">"\n/);
    const rows = windowRows(moved);
    expect(rows.slice(0, 25)).toEqual(Array.from({ length: 25 }, (_, i) => `${i + 13 === 25 ? '>' : ' '} text line ${i + 13}`));
    expect(moved).toMatch(/\npty-relay: job 2 is waiting for input in a full-screen program; prompt: "text line 25"; answer: #!send TEXT\\r; look: #!screen; stop: #!kill 2; first line of each: #!session vi\n$/);
    // An edit, seen in the same reply: the line under the cursor is deleted.
    const cut = await req('vi', '#!send dd\n');
    expect(windowRows(cut)).toContain('> text line 26');
    expect(cut).toMatch(/prompt: "text line 26"/);
    const saved = await req('vi', '#!send :wq\\r\n');
    expect(saved).toMatch(ENDED(2));
    expect(saved).not.toMatch(/text line|\x1b/);
    const text = fs.readFileSync(path.join(dir, 'fifty.txt'), 'utf8');
    expect(text.split('\n')).toHaveLength(50);
    expect(text).not.toMatch(/^text line 25$/m);
    expect(await req('vi', 'pwd\n')).toBe(`${dir}\n`);
  });

  it('to a program animating on its screen: the reply still ends, with the screen, well before the timeout', async () => {
    const spin = path.join(dir, 'spin.sh');
    fs.writeFileSync(spin, "printf '\\e[?1049h'; i=0; while :; do k=; read -rsn1 -t 0.1 k </dev/tty; [ \"$k\" = q ] && break; printf '\\e[Hframe %d last key [%s]\\e[K' $((i++)) \"$k\"; done; printf '\\e[?1049l'\n");
    expect(await req('sp', `#!timeout 30\nsource ${spin}\n`)).toMatch(/job 1 is waiting for input in a full-screen program; prompt: "frame \d+ last key \[\]"/);
    const sent = await req('sp', '#!timeout 30\n#!send x\n');
    expect(sent).toMatch(/^pty-relay: the screen, row 1 of 50; the cursor is at row 1, column \d+, on the line marked ">"\n> frame \d+ last key \[x?\]\n/);
    expect(sent).toMatch(/\npty-relay: job 1 is waiting for input in a full-screen program; prompt: "frame \d+ last key \[x?\]"/);
    expect(await req('sp', '#!timeout 30\n#!send q\n')).toMatch(ENDED(1));
  });

  it('to a line-mode prompt: exactly its output, then the job\'s status when it ended', async () => {
    expect(await req('rp', 'read -p "name? " n </dev/tty; echo "hi $n"\n')).toMatch(/^name\? \npty-relay: job 1 is waiting for input; prompt: "name\?"/);
    expect(await req('rp', '#!send bob\\r\n')).toBe('bob\nhi bob\npty-relay: job 1 ended with exit status 0\n');
  });
});

describe('send through MCP', () => {
  let m: McpSession;
  beforeAll(async () => {
    m = await relayMcp(['--port', String(d.port)]);
  });
  afterAll(async () => {
    await m.close();
  });

  it('shows vim\'s screen around the cursor after a move, and says the job ended after `:wq`', async () => {
    const file = path.join(dir, 'mcp.txt');
    fs.writeFileSync(file, Array.from({ length: 50 }, (_, i) => `row ${i + 1}`).join('\n') + '\n');
    const r = await m.call('run', { session: 'mv', command: `vim -u NONE -N -n ${file}`, interactive: true, timeout: 20 });
    expect(r.structured).toMatchObject({ state: 'waiting-for-input', prompt: 'row 1' });
    const job = r.structured?.job as number;
    const s = await m.call('send', { session: 'mv', text: '30G', timeout: 20 });
    expect(s.structured).toMatchObject({ state: 'waiting-for-input', job, prompt: 'row 30' });
    expect(s.text).toMatch(/^pty-relay: the screen, rows 18-42( and 50)? of 50 \(the others: screen \{"session":"mv"\}\); the cursor is at row 30, column 1/);
    expect(s.text).toMatch(/\n  row 29\n> row 30\n  row 31\n/);
    const q = await m.call('send', { session: 'mv', text: ':wq\n', timeout: 20 });
    expect(q.structured).toMatchObject({ state: 'done', exitStatus: 0, job });
    expect(q.text).toMatch(new RegExp(`\\[job ${job} ended: exit status 0`));
  });
});
