import { describe, expect, it } from 'vitest';
import { assembleTargets, parseTargetsFile, parseTargetSpec, parseWhere, targetsFilePath, type TargetSources } from '../../../src/mcp/targets';

describe('parseWhere', () => {
  it.each([
    ['localhost:9998', { host: 'localhost', port: 9998 }],
    ['127.0.0.1:1', { host: '127.0.0.1', port: 1 }],
    ['[::1]:9001', { host: '::1', port: 9001 }],
    ['db.example:65535', { host: 'db.example', port: 65535 }],
    ['9002', { host: 'localhost', port: 9002 }],
    ['unix:/run/user/1000/pty-relay/relay.sock', { path: '/run/user/1000/pty-relay/relay.sock' }],
    ['unix:rel/sock', { path: 'rel/sock' }],
  ])('reads %s', (where, endpoint) => {
    expect(parseWhere(where)).toEqual(endpoint);
  });

  it.each(['', 'host', 'host:', 'host:0', 'host:65536', '::1:9998', 'unix:', 'a b:1', 'host:12x'])('refuses %j', (where) => {
    expect(() => parseWhere(where)).toThrow(/invalid target address|names no socket path/);
  });
});

describe('parseTargetSpec', () => {
  it('splits NAME=WHERE at the first "="', () => {
    expect(parseTargetSpec('web=localhost:9001')).toEqual({ name: 'web', endpoint: { host: 'localhost', port: 9001 } });
    expect(parseTargetSpec('x.1_b-2=unix:/s=ock')).toEqual({ name: 'x.1_b-2', endpoint: { path: '/s=ock' } });
  });

  it.each(['web', '=localhost:1', '-web=1', 'we b=1', `${'a'.repeat(65)}=1`, 'web=nope'])('refuses %j', (spec) => {
    expect(() => parseTargetSpec(spec)).toThrow(/invalid target/);
  });
});

describe('the targets file', () => {
  const file = '/home/u/.config/pty-relay/targets';

  it('reads names, addresses, secret files, comments and blank lines', () => {
    const text = [
      '# my servers',
      'web=localhost:9001',
      '',
      '  db=9002   secret-file=~/.config/pty-relay/db.secret  # tunnel to db',
      'box=unix:/run/user/1000/pty-relay/relay.sock secret-file=box.secret',
    ].join('\n');
    expect(parseTargetsFile(text, file, '/home/u')).toEqual([
      { name: 'web', endpoint: { host: 'localhost', port: 9001 } },
      { name: 'db', endpoint: { host: 'localhost', port: 9002 }, secretFile: '/home/u/.config/pty-relay/db.secret' },
      { name: 'box', endpoint: { path: '/run/user/1000/pty-relay/relay.sock' }, secretFile: '/home/u/.config/pty-relay/box.secret' },
    ]);
  });

  it('names the file and line of a mistake', () => {
    expect(() => parseTargetsFile('web=1\nbad line here\n', file)).toThrow(`${file}, line 2: invalid target "bad"`);
    expect(() => parseTargetsFile('web=1 secret=x\n', file)).toThrow(`${file}, line 1: unknown option "secret=x"`);
  });

  it('lives under XDG_CONFIG_HOME when set, else ~/.config', () => {
    expect(targetsFilePath({}, '/home/u')).toBe('/home/u/.config/pty-relay/targets');
    expect(targetsFilePath({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg/pty-relay/targets');
    expect(targetsFilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/pty-relay/targets');
  });
});

describe('assembleTargets', () => {
  const base: TargetSources = {
    flags: [],
    file: [],
    explicit: null,
    fallback: { path: '/run/user/0/pty-relay/relay.sock' },
    secret: 'global',
    readSecret: (f) => `secret-of-${f}`,
  };

  it('falls back to the local daemon, named "default", when nothing is configured', () => {
    expect(assembleTargets(base)).toEqual({ targets: [{ name: 'default', endpoint: { path: '/run/user/0/pty-relay/relay.sock' }, secret: 'global' }], defaultName: 'default' });
  });

  it('makes the explicit endpoint the default, before the named targets', () => {
    const r = assembleTargets({ ...base, explicit: { host: 'localhost', port: 9998 }, flags: [parseTargetSpec('a=1')] });
    expect(r.defaultName).toBe('default');
    expect(r.targets.map((t) => t.name)).toEqual(['default', 'a']);
  });

  it('makes the first named target the default when no endpoint is given; flags win over the file', () => {
    const r = assembleTargets({
      ...base,
      flags: [parseTargetSpec('b=2'), parseTargetSpec('a=1')],
      file: [{ name: 'a', endpoint: { host: 'x', port: 5 } }, { name: 'c', endpoint: { port: 3, host: 'localhost' }, secretFile: '/c.secret' }],
    });
    expect(r.defaultName).toBe('b');
    expect(r.targets).toEqual([
      { name: 'b', endpoint: { host: 'localhost', port: 2 }, secret: 'global' },
      { name: 'a', endpoint: { host: 'localhost', port: 1 }, secret: 'global' },
      { name: 'c', endpoint: { host: 'localhost', port: 3 }, secret: 'secret-of-/c.secret' },
    ]);
  });

  it('refuses a name given twice on the command line', () => {
    expect(() => assembleTargets({ ...base, flags: [parseTargetSpec('a=1'), parseTargetSpec('a=2')] })).toThrow('target "a" is given twice');
  });
});
