import { describe, expect, it } from 'vitest';
import { judgeRequest, parseRequest, type RequestTiming } from '../../../../src/daemon/exec/request';

const T: RequestTiming = { settleMs: 5, incompleteMs: 1000, quickSettleMs: 1, quickBytes: 64, deadlineMs: 60_000, replyStallMs: 60_000 };
const MAX = 1024;
const judge = (s: string | Buffer, eof = false) => judgeRequest(Buffer.isBuffer(s) ? s : Buffer.from(s), eof, MAX, T);

describe('judgeRequest', () => {
  it.each([
    ['complete line, no EOF', 'pwd\n', false, { kind: 'wait', ms: 5 }],
    ['complete line with directives', '#!session a\n#!timeout 3\npwd\n', false, { kind: 'wait', ms: 5 }],
    ['no newline yet', 'pwd', false, { kind: 'wait', ms: 1000 }],
    ['open if', 'if true; then\n', false, { kind: 'wait', ms: 1000 }],
    ['open heredoc', 'cat <<E\nx\n', false, { kind: 'wait', ms: 1000 }],
    ['nothing yet', '', false, { kind: 'wait', ms: Infinity }],
    ['EOF after text', 'pwd', true, { kind: 'ready' }],
    ['EOF after an incomplete command', 'if true; then\n', true, { kind: 'ready' }],
    ['EOF with nothing', '', true, { kind: 'empty' }],
  ] as const)('%s', (_, text, eof, expected) => {
    expect(judge(text, eof)).toEqual(expected);
  });

  it.each([
    ['one small read', 'pwd\n', 1, 1],
    ['two reads', 'pwd\n', 2, 5],
    ['one read of a full buffer', `${'echo x; '.repeat(8)}\n`, 1, 5],
    ['one small read, incomplete', 'if true; then\n', 1, 1000],
  ] as const)('settles a complete request from %s', (_, text, reads, ms) => {
    expect(judgeRequest(Buffer.from(text), false, MAX, T, reads)).toEqual({ kind: 'wait', ms });
  });

  it('refuses a request over the size limit', () => {
    expect(judge('x'.repeat(MAX + 1))).toMatchObject({ kind: 'refuse', reason: 'too-large' });
  });
  it('refuses NUL bytes', () => {
    expect(judge(Buffer.from('echo \0hi\n'), true)).toMatchObject({ kind: 'refuse', reason: 'binary' });
  });
  it.each(['GET / HTTP/1.1\r\n', 'POST /api HTTP/1.0\r\nHost: x\r\n', 'OPTIONS * HTTP/1.1\r\n', 'PUT /x HTTP/2\r\n', 'GET http://example.com\n', 'GET /x;touch$IFS/tmp/p;true', `GET /${'a'.repeat(MAX * 2)}`])(
    'refuses HTTP, whatever its length and even over the size limit: %j',
    (text) => expect(judge(text)).toMatchObject({ kind: 'refuse', reason: 'http' }),
  );
  it('refuses a TLS handshake (an https:// client), NUL bytes or not', () => {
    expect(judge(Buffer.from([0x16, 0x03, 0x01, 0x02]))).toMatchObject({ kind: 'refuse', reason: 'tls' });
  });
  // A Host: line deep in a text is not how any HTTP request starts (the old rule refused it,
  // within the first 4 KiB only); the start alone decides.
  it.each(['echo POST / HTTP/1.1\n', 'HEAD -x /\n', 'echo host: ok\n', 'junk\r\nHost: evil\r\n', ' GET /x\n', 'get /x\n', 'GETTING THERE\n', 'LS -la /\n'])('lets shell text that merely resembles HTTP through: %j', (text) => {
    expect(judge(text).kind).toBe('wait');
  });
  it.each(['G', 'GET', 'GET ', 'POST h', 'GET http:/', '\r\nGE'])('never runs what may still become a request line: %j', (text) => {
    expect(judge(text)).toEqual({ kind: 'wait', ms: Infinity });
  });
  it('runs blank lines and a cut-short word once the client says it is done', () => {
    expect(judge('\r\n')).toEqual({ kind: 'wait', ms: 5 });
    expect(judge('GE', true)).toEqual({ kind: 'ready' });
  });
});

describe('parseRequest', () => {
  it('splits leading directives from the script', () => {
    expect(parseRequest('#!session build\n#!timeout 2.5\n#!nowait\n#!trailer abcdefgh12\necho hi\n#!session not-a-directive\n')).toEqual({
      ok: true,
      options: {
        session: 'build',
        timeoutMs: 2500,
        interrupt: false,
        kill: undefined,
        status: false,
        nowait: true,
        queue: false,
        nocreate: false,
        interactive: false,
        raw: false,
        typeahead: false,
        limit: undefined,
        query: undefined,
        trailer: 'abcdefgh12',
        notes: false,
        auth: undefined,
      },
      script: 'echo hi\n#!session not-a-directive\n',
    });
  });
  it('reads #!nocreate, which takes no argument', () => {
    expect(parseRequest('#!nocreate\n#!screen\n')).toMatchObject({ ok: true, options: { nocreate: true, query: { kind: 'screen' } } });
    expect(parseRequest('#!nocreate yes\n')).toEqual({ ok: false, message: '#!nocreate takes no argument' });
  });
  it('accepts directives alone, with CRLF line ends', () => {
    expect(parseRequest('#!interrupt\r\n#!status\r\n')).toMatchObject({ ok: true, options: { interrupt: true, status: true }, script: '' });
  });
  it.each([
    ['#!wait\n', { query: { kind: 'wait', job: null } }],
    ['#!wait 12\n', { query: { kind: 'wait', job: 12 } }],
    ['#!jobs\n', { query: { kind: 'jobs' } }],
    ['#!screen\n', { query: { kind: 'screen' } }],
    ['#!send q\\n\n', { query: { kind: 'send', text: 'q\\n' } }],
    ['#!output 3\n', { query: { kind: 'output', job: 3, from: null, to: null } }],
    ['#!output 3 10 20\n', { query: { kind: 'output', job: 3, from: 10, to: 20 } }],
    ['#!kill\n', { kill: { job: null } }],
    ['#!kill 4\n', { kill: { job: 4 } }],
    ['#!limit 4096\n#!raw\n#!interactive\n', { limit: 4096, raw: true, interactive: true }],
    ['#!limit 0\n#!queue\n#!notes\n', { limit: 0, queue: true, notes: true }],
  ])('reads the job directives in %j', (text, options) => {
    expect(parseRequest(text)).toMatchObject({ ok: true, options, script: '' });
  });
  it('leaves a shebang line in the script', () => {
    expect(parseRequest('#!/bin/bash\necho\n')).toMatchObject({ ok: true, script: '#!/bin/bash\necho\n' });
  });
  it.each([
    ['#!nope\n', /unknown directive "#!nope"/],
    ['#!session\n', /invalid session name ""/],
    ['#!session a/b\n', /invalid session name "a\/b"/],
    ['#!session -x\n', /invalid session name/],
    ['#!timeout -1\n', /#!timeout takes seconds/],
    ['#!timeout 99999999\n', /#!timeout takes seconds/],
    ['#!trailer short\n', /#!trailer takes a token/],
    ['#!interrupt now\n', /#!interrupt takes no argument/],
    ['#!wait x\n', /#!wait takes an optional job number/],
    ['#!kill 0\n', /#!kill takes an optional job number/],
    ['#!send\n', /#!send takes the text to type/],
    ['#!output\n', /#!output takes a job number/],
    ['#!output 1 2 3 4\n', /#!output takes a job number/],
    ['#!limit -1\n', /#!limit takes a number of bytes \(0: no bound\)/],
    ['#!queue now\n', /#!queue takes no argument/],
    ['#!jobs all\n', /#!jobs takes no argument/],
    ['#!wait\n#!jobs\n', /#!jobs and #!wait cannot be combined/],
    ['#!screen\necho hi\n', /#!screen asks about a job and cannot carry a command/],
  ])('rejects %j', (text, re) => {
    const r = parseRequest(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(re);
  });
});

describe('judgeRequest without the syntax', () => {
  it('answers the wait a complete request would get, marked for a second judgement, whatever the text', () => {
    // An unclosed quote: incomplete to the syntax, but the reads are not judged by it.
    expect(judgeRequest(Buffer.from('echo "abc\n'), false, MAX, T, 1, false)).toEqual({ kind: 'wait', ms: T.quickSettleMs, syntax: true });
    expect(judgeRequest(Buffer.from('echo "abc\n'), false, MAX, T, 2, false)).toEqual({ kind: 'wait', ms: T.settleMs, syntax: true });
    // The cheap judgements still come first.
    expect(judgeRequest(Buffer.alloc(MAX + 1, 'a'), false, MAX, T, 9, false).kind).toBe('refuse');
    expect(judgeRequest(Buffer.from('echo hi\n'), true, MAX, T, 9, false)).toEqual({ kind: 'ready' });
  });
});
