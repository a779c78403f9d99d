// The bash and login-shell checks, against the real bash and tiny fixture programs that answer
// as an old bash (macOS's 3.2) and as a shell that is not bash.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bashCheck, loginShellCheck } from '../../../../src/client/doctor/shell';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pty-relay-shells-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

it('accepts the real bash', async () => {
  const c = await bashCheck('/bin/bash', 'test');
  expect(c.status).toBe('ok');
  expect(c.message).toMatch(/^sessions run \/bin\/bash \(test\), bash \d+\.\d+\.\d+$/);
});

it("refuses macOS's bash 3.2, naming 4.4 and --shell", async () => {
  const old = fixture('bash32', "printf '3.2.57(1)-release'");
  expect(await bashCheck(old, 'test')).toEqual({
    id: 'bash',
    status: 'problem',
    message: `${old} (test) is bash 3.2.57(1)-release: pty-relay needs 4.4 or newer (for PS0)`,
    fix: 'install a newer bash (your package manager, or `brew install bash`) and pass `--shell PATH` to the daemon',
  });
});

it('refuses a shell that is not bash, and one that does not exist', async () => {
  expect((await bashCheck(fixture('notbash', 'exit 0'), 'test')).message).toMatch(/is not bash$/);
  expect((await bashCheck(path.join(dir, 'missing'), 'test')).status).toBe('problem');
});

it('flags a login shell that cannot run a remote command', () => {
  expect(loginShellCheck('/usr/sbin/nologin').status).toBe('problem');
  expect(loginShellCheck('/bin/false').status).toBe('problem');
  expect(loginShellCheck('/bin/bash')).toEqual({ id: 'login-shell', status: 'ok', message: 'your login shell is /bin/bash' });
  expect(loginShellCheck('/usr/bin/zsh').message).toBe('your login shell is /usr/bin/zsh; sessions run bash all the same, with ~/.bashrc, not your zsh configuration');
});
