// Every common netcat flavour gets a clean reply and returns by itself when the command is done.
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, run } from '../helpers/clients';
import { startDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  expect(await d.stop()).toBe(0);
});

describe.each(Object.entries(CLIENTS))('%s', (name, argv) => {
  const session = `c-${name.replace(/[^a-z0-9]+/gi, '-')}`.slice(0, 60);
  const req = (text: string): string => `#!session ${session}\n${text}`;

  it('runs `whoami && pwd` and prints only the output', async () => {
    const r = await run(argv(d.port), req('whoami && pwd\n'));
    expect(r.stdout).toBe(`${os.userInfo().username}\n${d.home}\n`);
    expect(r.code).toBe(0);
  });

  it('keeps the working directory between connections', async () => {
    expect((await run(argv(d.port), req('cd /tmp\n'))).stdout).toBe('');
    expect((await run(argv(d.port), req('pwd\n'))).stdout).toBe('/tmp\n');
  });

  it('reports a non-zero exit status on its own line', async () => {
    const r = await run(argv(d.port), req('printf partial; (exit 3)\n'));
    expect(r.stdout).toBe('partial\npty-relay: exit status 3\n');
  });

  it('runs a heredoc and a line longer than the tty limit', async () => {
    const long = 'y'.repeat(20_000);
    const r = await run(argv(d.port), req(`cat <<'EOF'\n$notexpanded\nEOF\necho ${long} | wc -c\n`));
    expect(r.stdout).toBe(`$notexpanded\n${long.length + 1}\n`);
  });

  it('receives a 6 MB output byte-exact', async () => {
    const r = await run(argv(d.port), req('#!limit 0\nseq 1 800000\n'), 60_000);
    const expected = Array.from({ length: 800_000 }, (_, i) => `${i + 1}\n`).join('');
    expect(r.stdout.length).toBe(expected.length);
    expect(r.stdout === expected).toBe(true);
  });

  it('runs a multi-line script as one unit', async () => {
    const r = await run(argv(d.port), req('x=1\nif [ "$x" = 1 ]; then\n  echo yes\nfi\nfor i in a b; do echo $i; done\n'));
    expect(r.stdout).toBe('yes\na\nb\n');
  });
});
