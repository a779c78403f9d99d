// The shell survives the request: `set -e` failures and `exit` end the request, not the shell;
// what the script set before stays, its options and traps do not leak into the next request.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc, RawClient } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

// One request in session `s`; returns its reply.
async function req(s: string, script: string): Promise<string> {
  return (await nc(d.port, `#!session ${s}\n${script}\n`)).stdout;
}

// The shell's pid, cwd, options and a few markers, as the next request sees them.
async function state(s: string): Promise<string> {
  return req(s, 'echo "pid=$$ pwd=$PWD v=${KEEP-} f=$(type -t keepfn) a=${BASH_ALIASES[keepal]-} opts=$-:$(shopt -qo pipefail && echo pf)"');
}

// `$-` as a request sees it in a fresh shell (errtrace, E, is ours during a request).
let flags = '';
beforeAll(async () => {
  flags = (await req('flags', 'echo "$-"')).trim();
  expect(flags).toMatch(/^[a-zA-Z]+$/);
  expect(flags).not.toMatch(/[eux]/);
});

describe('set -e', () => {
  it('ends a `set -euo pipefail` script at the failure, with its status, and keeps the shell', async () => {
    const before = await state('e1');
    const pid = /pid=(\d+)/.exec(before)?.[1];
    const r = await req('e1', 'set -euo pipefail\ncd /tmp\nexport KEEP=1\nkeepfn() { :; }\nalias keepal=true\necho before\nfalse\necho after');
    expect(r).toBe('before\npty-relay: exit status 1\n');
    // Same shell, state from before the failure kept, and no -e, -u or pipefail left on.
    expect(await state('e1')).toBe(`pid=${pid} pwd=/tmp v=1 f=function a=true opts=${flags}:\n`);
    expect(await req('e1', 'false; echo "$nope" still running')).toBe(' still running\n');
  });

  it('ends the request at a failure inside a function, a pipeline (pipefail) and a sourced file', async () => {
    expect(await req('e2', 'set -e; f() { echo in-f; false; echo no; }; g() { f; echo no; }; g; echo no')).toBe('in-f\npty-relay: exit status 1\n');
    expect(await req('e2', 'set -eo pipefail; (exit 3) | cat; echo no')).toBe('pty-relay: exit status 3\n');
    fs.writeFileSync(path.join(d.home, 'inner.sh'), 'echo inner; false; echo no\n');
    expect(await req('e2', `set -e; source ${d.home}/inner.sh; echo no`)).toBe('inner\npty-relay: exit status 1\n');
  });

  it('behaves as bash where set -e does not apply', async () => {
    const r = await req('e3', 'set -e; f() { false; echo in-f; }; if f; then echo yes; fi; false || echo or; x=$(false; echo sub); echo "x=$x"; ( false; echo no ) || echo "sub=$?"');
    expect(r).toBe('in-f\nyes\nor\nx=sub\nno\n'); // what `bash -c` prints for it
  });

  it('runs the script\'s ERR trap once, with its line and status, and not in the next request', async () => {
    const r = await req('e4', 'trap \'echo "error on line $LINENO: $?"\' ERR\nset -e\necho one\n(exit 5)\necho no');
    expect(r).toBe('one\nerror on line 4: 5\npty-relay: exit status 5\n');
    expect(await req('e4', 'false; echo next')).toBe('next\n');
  });

  it('survives errors bash exits on at once (unset variable under -u): the shell restarts in place', async () => {
    await req('e5', 'cd /usr; export KEEP=2; keepfn() { :; }; alias keepal=yes; declare -A m=([k]=v)');
    const pid = /pid=(\d+)/.exec(await state('e5'))?.[1];
    const r = await req('e5', 'set -euo pipefail\necho before\necho "$unset_var"\necho after');
    expect(r).toMatch(/^before\nbash: unset_var: unbound variable\npty-relay: bash exited on its own here .*, but without its background jobs\npty-relay: exit status 1\n$/);
    expect(await state('e5')).toBe(`pid=${pid} pwd=/usr v=2 f=function a=yes opts=${flags}:\n`);
    expect(await req('e5', 'echo "${m[k]}"')).toBe('v\n');
  });
});

describe('exit', () => {
  it.each([
    ['at the top level', 'echo a; exit 3; echo no', 'a\n', 3],
    ['inside if', 'if true; then exit 4; fi; echo no', '', 4],
    ['inside a loop', 'for i in 1 2 3; do echo $i; [ $i = 2 ] && exit 5; done; echo no', '1\n2\n', 5],
    ['inside a function', 'f() { echo in; exit 6; echo no; }; g() { f; echo no; }; g; echo no', 'in\n', 6],
    ['without a status, after a failure', 'false; exit', '', 1],
    ['with a bad status', 'exit x', 'bash: exit: x: numeric argument required\n', 2],
  ])('%s ends the request with its status and keeps the shell', async (_, script, out, status) => {
    const pid = (await req('x1', 'echo $$')).trim();
    expect(await req('x1', script)).toBe(`${out}pty-relay: exit status ${status}\n`);
    expect((await req('x1', 'echo $$')).trim()).toBe(pid);
  });

  it('in a subshell, `bash -c` and `bash script.sh` is bash\'s own exit', async () => {
    fs.writeFileSync(path.join(d.home, 'five.sh'), 'exit 5\n');
    const r = await req('x2', `(exit 3); echo "sub=$?"; x=$(exit 4); echo "cs=$?"; bash -c 'exit 7'; echo "bc=$?"; bash ${d.home}/five.sh; echo "script=$?"; exit 9 | cat; echo "pipe=$?"`);
    expect(r).toBe('sub=3\ncs=4\nbc=7\nscript=5\npipe=0\n');
  });

  it('runs the script\'s EXIT trap when the request ends, as bash does when a script ends', async () => {
    expect(await req('x3', "trap 'echo cleanup $?' EXIT; echo body; exit 2")).toBe('body\ncleanup 2\npty-relay: exit status 2\n');
    expect(await req('x3', 'echo next')).toBe('next\n');
  });

  it('keeps background jobs started before the exit', async () => {
    expect(await req('x4', 'sleep 300 & exit 2')).toBe('pty-relay: exit status 2\n');
    expect(await req('x4', 'jobs | grep -c "sleep 300"; kill %1')).toBe('1\n');
  });
});

describe('what does not leak into the next request', () => {
  it('options, traps, xtrace and redirections of the shell itself', async () => {
    // Our own commands stay out of the trace.
    const r = await req('l1', "set -euxo pipefail; set -C; trap 'echo int' INT; echo traced");
    expect(r).toMatch(/^\++ set -C\n\++ trap 'echo int' INT\n\++ echo traced\ntraced\n$/);
    expect(await req('l1', 'echo "$-" "$(trap -p INT)" "$(shopt -qo pipefail && echo pf)"; echo x > /dev/null')).toBe(`${flags}  \n`);
    await req('l1', `exec >${d.home}/out.txt 2>&1; echo to-file`);
    expect(await req('l1', 'echo back')).toBe('back\n');
    expect(fs.readFileSync(path.join(d.home, 'out.txt'), 'utf8')).toBe('to-file\n');
  });

  it('an interrupted request still puts the shell back, and runs its EXIT trap', async () => {
    const fifo = path.join(d.home, 'fifo-int');
    execFileSync('mkfifo', [fifo]);
    const c = new RawClient(d.port);
    c.send(`#!session l2\nset -e; trap 'echo cleanup' EXIT; echo started; read -r x < ${fifo}\n`);
    c.socket.end();
    await waitFor('the command to start', () => (c.text().includes('started') ? true : undefined));
    expect((await nc(d.port, '#!session l2\n#!interrupt\n')).stdout).toMatch(/^pty-relay: interrupted/);
    await within('the interrupted request to end', c.closed, 10_000);
    expect(c.text()).toMatch(/^started\n\n?cleanup\npty-relay: exit status 130\n$/);
    expect(await req('l2', 'echo "$-"; false; echo alive')).toBe(`${flags}\nalive\n`);
  });
});

describe('what still ends the shell', () => {
  it('`kill -9 $$` keeps today\'s message', async () => {
    expect(await req('k1', 'echo bye; kill -9 $$')).toBe('bye\npty-relay: the shell was killed by signal 9 while running this command; the next request starts a new shell\n');
    expect(await req('k1', 'echo back')).toMatch(/was killed by signal 9 at .*; this is a new shell\nback\n$/);
  });
});
