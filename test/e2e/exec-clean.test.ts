// Replies are text: what a person would read once the command is done, streamed line by line;
// and the environment an exec request gets so that programs neither colour nor wait.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc, RawClient } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { waitFor, within } from '../helpers/deadline';
import { FrameClient } from '../helpers/frames';

let d: TestDaemon;
// Debian's default ~/.bashrc colours ls and grep; a hook records the shell's own environment
// after every command, outside the request's.
const BASHRC = `
eval "$(dircolors -b)"
alias ls='ls --color=auto'
alias grep='grep --color=auto'
PROMPT_COMMAND='echo "\${NO_COLOR-unset} \${EDITOR-unset} \${DEBIAN_FRONTEND-unset} \${GIT_CONFIG_PARAMETERS-unset}" > ~/env.log'
`;
const ESC = '\x1b';

beforeAll(async () => {
  d = await startDaemon({ bashrc: BASHRC });
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

async function req(script: string, session = 'default'): Promise<string> {
  return (await nc(d.port, `#!session ${session}\n${script}\n`)).stdout;
}

describe('colour and redraws', () => {
  it('ls --color=auto and grep --color=auto come back without escape codes', async () => {
    fs.mkdirSync(path.join(d.home, 'lsdir/sub'), { recursive: true });
    fs.writeFileSync(path.join(d.home, 'lsdir/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    expect(await req(`cd ${d.home}/lsdir && ls -1 && type ls | grep -c color`)).toBe('run.sh\nsub\n1\n');
    expect(await req('printf "one\\ntwo\\n" | grep --color=always o')).toBe('one\ntwo\n');
  });

  it('git status and git diff in a repo with changes come back as plain text', async () => {
    const repo = path.join(d.home, 'repo');
    const git = `cd ${repo} && git -c user.email=t@e -c user.name=t`;
    fs.mkdirSync(repo);
    await req(`cd ${repo} && git init -q && printf 'a\\n' > f && git add f && git -c user.email=t@e -c user.name=t commit -qm one && git config color.ui always`);
    fs.writeFileSync(path.join(repo, 'f'), 'a\nb\n');
    const status = await req(`${git} status --short`);
    expect(status).toBe(' M f\n');
    const diff = await req(`${git} diff`);
    expect(diff).toContain('@@ -1 +1,2 @@\n a\n+b\n');
    expect(diff).not.toContain(ESC);
  });

  it('turns a 50-frame progress bar into its last frame', async () => {
    const r = await req('for i in $(seq 1 50); do printf "\\rprogress %d%%" $((i * 2)); done; echo; printf "working...\\r\\033[Kdone\\n"');
    expect(r).toBe('progress 100%\ndone\n');
  });

  it('drops colours, titles and bells a program prints itself; keeps a hyperlink\'s text', async () => {
    const r = await req(String.raw`printf '\033]0;title\007\033[1;31mred\033[0m \033]8;;http://x\033\\link\033]8;;\033\\\a\n'`);
    expect(r).toBe('red link\n');
  });
});

describe('text stays exact', () => {
  it('returns a CRLF file, tabs, unicode and a last line without a newline byte for byte', async () => {
    fs.writeFileSync(path.join(d.home, 'crlf.txt'), 'a\r\nb\r\n');
    expect(await req(`cat ${d.home}/crlf.txt`)).toBe('a\r\nb\r\n');
    expect(await req("printf 'a\\tb\\n\\tx\\n'; echo 'üñí 中文 🎉'; printf 'no newline'")).toBe('a\tb\n\tx\nüñí 中文 🎉\nno newline');
  });

  it('streams: a finished line arrives while the command still runs', async () => {
    const fifo = path.join(d.home, 'fifo-stream');
    execFileSync('mkfifo', [fifo]);
    const c = new RawClient(d.port);
    c.send(`echo first; printf 'partial'; read -r x < ${fifo}; echo ' rest'\n`);
    c.socket.end();
    await waitFor('the first line', () => (c.text() === 'first\n' ? true : undefined));
    fs.writeFileSync(fifo, 'go\n');
    await within('the request to end', c.closed, 10_000);
    expect(c.text()).toBe('first\npartial rest\n');
  });

  it('keeps the raw stream, colours and all, for attached clients', async () => {
    await req('printf "\\033[31mred-raw\\033[0m\\n"', 'raw');
    const f = new FrameClient(d.port);
    f.hello();
    f.attach('raw', 0, { create: false });
    expect(await f.waitOutput(0, /red-raw/)).toContain(`${ESC}[31mred-raw${ESC}[0m`);
    f.socket.destroy();
  });
});

describe('the environment of a request', () => {
  it('sets the machine defaults during the request and leaves the shell\'s own environment alone', async () => {
    fs.rmSync(path.join(d.home, 'env.log'), { force: true });
    const r = await req('echo "$NO_COLOR $DEBIAN_FRONTEND $PIP_NO_INPUT $GIT_CONFIG_PARAMETERS"; env | grep -c "^EDITOR=.*no-editor$"');
    expect(r).toBe("1 noninteractive 1 'color.ui=never'\n1\n");
    // The hook runs after the reply's end mark: wait for it to have written.
    const log = path.join(d.home, 'env.log');
    const seen = await waitFor('the prompt hook to record the environment', () => {
      const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      return text.endsWith('\n') ? text : undefined;
    });
    expect(seen).toBe('unset unset unset unset\n');
  });

  it('makes `git commit` without -m fail at once with a clear message', async () => {
    const repo = path.join(d.home, 'repo2');
    const r = await req(`mkdir ${repo} && cd ${repo} && git init -q && git -c user.email=t@e -c user.name=t commit --allow-empty`, 'git2');
    expect(r).toContain('pty-relay: no editor in exec requests');
    expect(r).toMatch(/Please supply the message using either -m or -F option\.\npty-relay: exit status 1\n$/);
  });
});
