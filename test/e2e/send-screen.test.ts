// What a `#!send` reply shows of a full-screen program and what it calls its prompt (issue 22),
// through real nc, real programs in the session's real PTY, and a real terminal (tmux with
// pty-client attached) where the screen's size matters:
// - less's search puts the match on the screen's first row, far from the cursor on the last: the
//   reply shows the whole screen (50 rows) when the keystrokes changed all of it;
// - on a taller screen (80 rows) the reply shows the cursor's rows, the bottom row, and the rows
//   the keystrokes changed, even one far from the cursor;
// - top parks its cursor after its last process row: the reply names no prompt rather than a
//   process row; its own prompt (`k`: "PID to signal/kill") is named.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { ROOT, startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/deadline';
import { Tmux } from '../helpers/tmux';

const CLIENT_BIN = path.join(ROOT, 'bin/pty-client');
let d: TestDaemon;
let dir: string;
let tmux: Tmux | undefined;
beforeAll(async () => {
  d = await startDaemon();
  dir = fs.mkdtempSync(path.join(d.home, 'screen-'));
  fs.writeFileSync(path.join(dir, 'nums.txt'), Array.from({ length: 300 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
});
afterEach(() => tmux?.kill());
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

async function req(session: string, text: string): Promise<string> {
  return (await nc(d.port, `#!session ${session}\n#!timeout 20\n${text}`)).stdout;
}

// The rows of a reply's screen (under its `pty-relay: the screen…` line), without their marks.
function shownRows(reply: string): string[] {
  const lines = reply.split('\n');
  const at = lines.findIndex((l) => l.startsWith('pty-relay: the screen'));
  expect(at, reply).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > at && l.startsWith('pty-relay: '));
  return lines.slice(at + 1, end).map((l) => l.slice(2));
}

describe('less, searching', () => {
  it('shows the match on the first row: the whole screen, as the search changed all of it', async () => {
    expect(await req('ls', `cd ${dir}\n`)).toBe('');
    expect(shownRows(await req('ls', 'less nums.txt\n'))[0]).toBe('line 1');
    const found = await req('ls', '#!send /line 200\\r\n');
    const rows = shownRows(found);
    expect(rows[0]).toBe('line 200');
    expect(rows.slice(0, 49)).toEqual(Array.from({ length: 49 }, (_, i) => `line ${200 + i}`));
    expect(found).toMatch(/^pty-relay: the screen, rows 1-50 of 50; the cursor is at row 50, column \d+, on the line marked ">"\n/);
    expect(found).toMatch(/\n> :\npty-relay: job 2 is waiting for input in a full-screen program; prompt: ":"; /);
    expect(await req('ls', '#!send q\n')).toMatch(/pty-relay: job 2 ended with exit status 0\n$/);
  });
});

describe('a screen taller than 50 rows (a terminal attached)', () => {
  it('shows the cursor\'s rows, the bottom row and a row the keystrokes changed far from the cursor', async () => {
    tmux = new Tmux();
    tmux.start('t', [process.execPath, CLIENT_BIN, '--port', String(d.port), 'tall'], { HOME: d.home }, 100, 80);
    await waitFor('the session to take the terminal\'s size', async () => (/screen 100x80,/.test(await req('tall', '#!screen\n')) ? true : undefined), 20_000);
    // On the alternate screen: 79 rows of text, the cursor parked on the last row; each key
    // typed rewrites row 40 only.
    const prog = path.join(dir, 'rows.sh');
    fs.writeFileSync(prog, [
      "printf '\\e[?1049h\\e[H'; for i in $(seq 1 79); do printf 'row %d\\r\\n' $i; done; printf 'keys: '",
      'while read -rsn1 k </dev/tty; do [ "$k" = q ] && break; printf \'\\e7\\e[40;1H\\e[Krow 40 now says %s\\e8\' "$k"; done',
      "printf '\\e[?1049l'",
    ].join('\n') + '\n');
    const first = await req('tall', `bash ${prog}\n`);
    expect(shownRows(first).slice(0, 2)).toEqual(['row 1', 'row 2']);
    expect(first).toMatch(/^pty-relay: the screen, rows 1-25 and 56-80 of 80 \(the others: #!screen\); the cursor is at row 80, column 7, on the line marked ">"\n/);
    const sent = await req('tall', '#!send x\n');
    expect(shownRows(sent)).toContain('row 40 now says x');
    expect(sent).toMatch(/^pty-relay: the screen, rows 40 and 56-80 of 80 \(the others: #!screen\); the cursor is at row 80, column 7, on the line marked ">"\n {2}row 40 now says x\n {2}row 56\n/);
    expect(shownRows(sent)).toHaveLength(26);
    expect(sent).toMatch(/\n> keys:\npty-relay: job \d+ is waiting for input in a full-screen program; prompt: "keys:"; /);
    expect(await req('tall', '#!send q\n')).toMatch(/pty-relay: job \d+ ended with exit status 0\n$/);
  });
});

describe('top', () => {
  it('names no prompt where it parks its cursor, and names its own prompt', async () => {
    const started = await req('top', '#!interactive\ntop -d 30\n');
    expect(started).toMatch(/\n {2}PID USER /);
    // Its cursor stands after its last process row: that row is not a prompt.
    expect(started).toMatch(/\npty-relay: job 1 is waiting for input; answer: #!send TEXT\\r; look: #!screen; stop: #!kill 1; first line of each: #!session top\n$/);
    const asked = await req('top', '#!send k\n');
    expect(asked).toMatch(/\npty-relay: job 1 is waiting for input; prompt: "PID to signal\/kill \[default pid = \d+\]"; /);
    expect(await req('top', '#!send \\e\n')).not.toMatch(/prompt: /);
    expect(await req('top', '#!send q\n')).toMatch(/pty-relay: job 1 ended with exit status 0\n$/);
  });
});
