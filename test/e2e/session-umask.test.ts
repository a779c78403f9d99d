// A session's shell has the umask the daemon was started with (the user's, as their login gave it),
// not the holder's private 077 (issue 22: files an agent made came out 0600), with and without
// holders; the daemon's own runtime files stay 0600/0700 whatever that umask is. Real daemons
// started under umask 027 (so the answer cannot be a fixed 022) and the test's own umask.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nc } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';

// Starts a daemon under `mask` (the umask its children inherit), then puts the test's back.
async function daemonUnder(mask: number, args: string[] = []): Promise<TestDaemon> {
  const own = process.umask(mask);
  try {
    return await startDaemon({ args });
  } finally {
    process.umask(own);
  }
}

// Every file and directory under `dir` with its permission bits, e.g. "600 default/job.sh".
function modes(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p, { throwIfNoEntry: false }); // a journal's temporary file may be renamed meanwhile
      if (st === undefined) continue;
      out.push(`${(st.mode & 0o777).toString(8)} ${path.relative(dir, p)}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

async function made(d: TestDaemon, session: string): Promise<string> {
  const where = fs.mkdtempSync(path.join(d.home, 'umask-'));
  const cmd = `cd ${where} && umask && touch f && mkdir dd && stat -c '%a %n' f dd && echo x > g && stat -c '%a %n' g`;
  return (await nc(d.port, `#!session ${session}\n${cmd}\n`)).stdout;
}

describe.each([
  ['with holders', [] as string[]],
  ['without holders', ['--no-holders']],
])('a session %s', (_, args) => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await daemonUnder(0o027, args);
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('makes files with the daemon\'s umask, in exec requests and #!interactive ones', async () => {
    expect(await made(d, 'one')).toBe('0027\n640 f\n750 dd\n640 g\n');
    expect((await nc(d.port, '#!session one\n#!interactive\numask\n')).stdout).toBe('0027\n');
    // A shell started again in place (README "What survives a request") keeps it.
    expect((await nc(d.port, '#!session one\nset -eu; echo "$never_set"\n')).stdout).toMatch(/bash exited on its own here/);
    expect((await nc(d.port, '#!session one\numask\n')).stdout).toBe('0027\n');
  });

  it('keeps its own runtime files private', async () => {
    await made(d, 'two');
    const all = modes(d.runtime);
    expect(all.filter((m) => / (?:.*\/)?(?:job\.sh|no-editor|t-\d+|holder\.sock|state\.json|output\.log)$/.test(m)).length).toBeGreaterThan(3);
    for (const m of all) expect(m).toMatch(/^(600|700) /);
  });
});

describe('a daemon started under the usual umask', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await daemonUnder(0o022);
  });
  afterAll(async () => {
    expect(await d.stop()).toBe(0);
  });

  it('gives its sessions 022: files 644, directories 755', async () => {
    expect(await made(d, 'usual')).toBe('0022\n644 f\n755 dd\n644 g\n');
    for (const m of modes(d.runtime)) expect(m).toMatch(/^(600|700) /);
  });
});
