// Which nc is this: read from the real help text of every flavour installed for the tests.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ncArgs, ncFlavour } from '../../../../src/client/doctor/nc';

function help(argv: string[]): string {
  const r = spawnSync(argv[0] as string, [...argv.slice(1), '-h'], { input: '', encoding: 'utf8', timeout: 5000 });
  return `${r.stdout}${r.stderr}`;
}

it.each([
  [['nc.openbsd'], { name: 'netcat-openbsd', hasN: true, unix: true }, ['-N', 'localhost', '9998']],
  [['nc.traditional'], { name: 'netcat-traditional', hasN: false, unix: false }, ['localhost', '9998']],
  [['ncat'], { name: 'ncat', hasN: false, unix: true }, ['localhost', '9998']],
  [['busybox', 'nc'], { name: 'busybox nc', hasN: false, unix: false }, ['localhost', '9998']],
])('%s', (argv, flavour, args) => {
  const f = ncFlavour(help(argv));
  expect(f).toEqual(flavour);
  expect(ncArgs(f, { host: 'localhost', port: 9998 })).toEqual(args);
});

it('reaches a unix socket only with -U', () => {
  expect(ncArgs({ name: 'netcat-openbsd', hasN: true, unix: true }, { path: '/run/x.sock' })).toEqual(['-N', '-U', '/run/x.sock']);
  expect(ncArgs({ name: 'busybox nc', hasN: false, unix: false }, { path: '/run/x.sock' })).toBeNull();
});
