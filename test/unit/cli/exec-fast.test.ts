// The exec fast path parses exactly what the full command line accepts, and hands back the rest.
import { describe, expect, it } from 'vitest';
import { parseExecArgs } from '../../../src/cli/exec-fast';

const base = { host: 'localhost', port: 9998, socket: undefined, secretFile: undefined, session: undefined, timeoutS: undefined, directives: [] };

describe('parseExecArgs', () => {
  it.each([
    [['--', 'true'], {}, { ...base, words: ['true'] }],
    [['echo', 'hi'], {}, { ...base, words: ['echo', 'hi'] }],
    [[], {}, { ...base, words: [] }],
    [['--port', '5', '--', 'ls', '-la'], {}, { ...base, port: 5, words: ['ls', '-la'] }],
    [['--port=5', '--host=::1', '--', 'x'], {}, { ...base, port: 5, host: '::1', words: ['x'] }],
    [['-s', 'build', '-t', '2.5', '--', 'make'], {}, { ...base, session: 'build', timeoutS: 2.5, words: ['make'] }],
    [['--session', 'a', '--session', 'b', 'x'], {}, { ...base, session: 'b', words: ['x'] }],
    [['--socket', '/run/s.sock', 'x'], {}, { ...base, socket: '/run/s.sock', words: ['x'] }],
    [['--secret-file', '/k', 'x'], {}, { ...base, secretFile: '/k', words: ['x'] }],
    [['-p', '5', 'x'], {}, { ...base, port: 5, words: ['x'] }],
    // Flags and --limit become directives, in the full command's order whatever the given one.
    [['--limit', '300', '--interactive', '--raw', 'x'], {}, { ...base, directives: ['#!raw', '#!interactive', '#!limit 300'], words: ['x'] }],
    [['--raw', '--raw', '--limit=7', 'x'], {}, { ...base, directives: ['#!raw', '#!limit 7'], words: ['x'] }],
    // Options may follow the words, as commander allows.
    [['echo', '--port', '7'], {}, { ...base, port: 7, words: ['echo'] }],
    // The environment fills in what the command line leaves out; the command line wins.
    [['x'], { PTY_RELAY_PORT: '6', PTY_RELAY_CONNECT_HOST: '127.0.0.2', PTY_RELAY_SOCKET: '/s', PTY_RELAY_SECRET_FILE: '/f' }, { ...base, port: 6, host: '127.0.0.2', socket: '/s', secretFile: '/f', words: ['x'] }],
    [['--port', '8', 'x'], { PTY_RELAY_PORT: '6' }, { ...base, port: 8, words: ['x'] }],
  ])('%j with %j', (args, env, want) => expect(parseExecArgs(args, env)).toEqual(want));

  // Left to commander, which prints help or the usual error.
  it.each([
    [['--help'], {}],
    [['-h'], {}],
    [['echo', '-n', 'x'], {}],
    [['--port'], {}],
    [['--port', '--', 'x'], {}],
    [['--port', 'abc', 'x'], {}],
    [['--timeout', 'soon', 'x'], {}],
    [['-s', 'bad name', 'x'], {}],
    [['--sesion', 'a', 'x'], {}],
    [['-sbuild', 'x'], {}],
    [['-p5', 'x'], {}],
    [['--raw=1', 'x'], {}],
    [['--limit', '0', 'x'], {}],
    [['--limit', '1k', 'x'], {}],
    [['--limit', 'x'], {}],
    // A host where the session goes: the full command line explains.
    [['-s', 'localhost', 'x'], {}],
    [['-s', '127.0.0.1', 'x'], {}],
    [['x'], { PTY_RELAY_PORT: '99999' }],
  ])('%j with %j goes to the full command line', (args, env) => expect(parseExecArgs(args, env)).toBeNull());
});
