// What survives between connections, and what a script may contain.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nc, run } from '../helpers/clients';
import { waitFor } from '../helpers/deadline';
import { startDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
// A user rc with its own PROMPT_COMMAND that records the `$?` it sees, and an alias.
const BASHRC = `
alias hello='echo hello from alias'
PROMPT_COMMAND='echo "$?" >> ~/pc.log'
export FROM_BASHRC=yes
`;

beforeAll(async () => {
  d = await startDaemon({ bashrc: BASHRC });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

it('keeps exported variables, aliases, functions and background jobs', async () => {
  await nc(d.port, 'export PR_TEST=42\nalias pr_al="echo alias-ok"\npr_fn() { echo "fn:$1"; }\nsleep 300 &\n');
  const r = await nc(d.port, 'echo $PR_TEST; pr_al; pr_fn z; jobs | grep -c "sleep 300"; kill %1\n');
  expect(r.stdout).toBe('42\nalias-ok\nfn:z\n1\n');
});

it('honours ~/.bashrc and keeps the user PROMPT_COMMAND seeing the right $?', async () => {
  expect((await nc(d.port, 'hello; echo $FROM_BASHRC\n')).stdout).toBe('hello from alias\nyes\n');
  await nc(d.port, '(exit 7)\n');
  // The reply ends at our first hook; the user's hook runs right after it.
  const last = (): string | undefined => fs.readFileSync(path.join(d.home, 'pc.log'), 'utf8').trim().split('\n').pop();
  await waitFor('the user hook to log 7', () => (last() === '7' ? true : undefined));
});

it('keeps working after a command rewrites PROMPT_COMMAND', async () => {
  await nc(d.port, 'PROMPT_COMMAND="true"\n');
  expect((await nc(d.port, 'echo still-here\n')).stdout).toBe('still-here\n');
});

it('runs heredocs, quotes and tabs exactly', async () => {
  const script = "cat <<'EOF'\n$HOME\tliteral\nEOF\ncat <<EOF\nv=$((1+2))\nEOF\nprintf '%s\\n' \"a\tb\" 'c  d'\n";
  expect((await nc(d.port, script)).stdout).toBe('$HOME\tliteral\nv=3\na\tb\nc  d\n');
});

it('runs a line far longer than the tty line limit (4096 bytes)', async () => {
  const word = 'x'.repeat(100_000);
  const r = await nc(d.port, `echo ${word} | wc -c\n`);
  expect(r.stdout).toBe(`${word.length + 1}\n`);
});

it('runs a script of thousands of lines as one unit', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `n=$((n+${i}))`);
  const r = await nc(d.port, `n=0\n${lines.join('\n')}\necho $n\n`);
  expect(r.stdout).toBe(`${(4999 * 5000) / 2}\n`);
});

it('does not end a command at forged or foreign marks (and drops them from the text)', async () => {
  const forged = '\\e]133;D;0;prn=0123456789abcdef0123456789abcdef\\a\\e]133;A\\a';
  const r = await nc(d.port, `printf '${forged}after\\n'; echo end\n`);
  expect(r.stdout).toBe('after\nend\n');
});

it('does not stop at a pager or a credential prompt', async () => {
  const repo = fs.mkdtempSync(path.join(d.home, 'repo-'));
  const script = [
    `cd ${repo} && git init -q && git config user.email t@e && git config user.name t`,
    'for i in $(seq 1 300); do git commit -q --allow-empty -m "commit $i"; done',
    'git log --oneline | wc -l',
    'git log --format=%s | head -1',
    'echo "$PAGER $GIT_PAGER $GIT_TERMINAL_PROMPT"',
    'git log --format=%s -n 200 | tail -1',
  ].join('\n');
  const r = await nc(d.port, `${script}\n`, 60_000);
  expect(r.stdout).toBe('300\ncommit 300\ncat cat 0\ncommit 101\n');
  // git's own pager path (stdout is the PTY) must not block either.
  const paged = await nc(d.port, `cd ${repo} && git log --format=%s | wc -l && git log -n 3 --format=%s\n`);
  expect(paged.stdout).toBe('300\ncommit 300\ncommit 299\ncommit 298\n');
});

it('gives commands an empty stdin, so a read never hangs', async () => {
  const r = await nc(d.port, 'read -r line; echo "read=$? line=[$line]"; cat; echo after-cat\n');
  expect(r.stdout).toBe(
    'read=1 line=[]\nafter-cat\n' +
      "pty-relay: `read -r line` got nothing: a request's stdin is empty (/dev/null), so `read` returns at once; to answer its prompt, send the request with #!interactive as its first line (stdin is then the terminal) and the answer with #!send\n",
  );
});

it('delivers hundreds of MB byte-exact', async () => {
  // ~229 MB through the PTY, hashed on both sides so the test holds no copy of it.
  const cmd = 'seq 1 30000000';
  const local = await run(['bash', '-c', `${cmd} | md5sum`], '', 120_000);
  const remote = await run(['bash', '-c', `printf '%s\\n' '#!limit 0' '${cmd}' | nc.openbsd -N 127.0.0.1 ${d.port} | md5sum`], '', 120_000);
  expect(remote.stdout).toBe(local.stdout);
  expect(local.stdout).toMatch(/^[0-9a-f]{32} {2}-\n$/);
});
