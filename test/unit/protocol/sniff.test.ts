import { describe, expect, it } from 'vitest';
import { classifyStart, route, sniff } from '../../../src/protocol/sniff';

const b = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

describe('route', () => {
  it.each([
    ['\x00\x01', 'frames'],
    ['GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 'http'],
    ['POST /api/login HTTP/1.1\r\n', 'http'],
    ['GET /ws HTTP/1.1', 'http'],
    ['G', 'undecided'],
    ['GET', 'undecided'],
    ['GET ', 'undecided'],
    ['GET /x', 'http'],
    ['GET /x HTT', 'http'],
    ['GET /x\n', 'http'],
    ['\r\n', 'undecided'],
    ['\r\nGET / HTTP/1.1\r\n', 'http'],
    ['CONNECT 127.0.0.1:22 HTTP/1.1\r\n', 'http'],
    ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'http'],
    ['GET https://example.com/ HTTP/1.1\r\n', 'http'],
    ['GET htt', 'undecided'],
    ['GET http:/', 'undecided'],
    ['\x16\x03\x01', 'text'],
    ['echo hi\n', 'text'],
    ['ls', 'text'],
    ['GETTING THERE\n', 'text'],
    ['PS1=x\n', 'text'],
    ['#!session a\necho 1\n', 'text'],
    ['get / HTTP/1.1\r\n', 'text'],
  ])('%j -> %s', (input, want) => {
    expect(route(b(input))).toBe(want);
  });

  it('knows HTTP from its start, however long the request line', () => {
    expect(route(b(`GET /${'a'.repeat(9000)}`))).toBe('http');
  });

  it('stops waiting for a request line after many blank lines', () => {
    expect(route(b('\r\n'.repeat(4096)))).toBe('text');
  });
});

describe('classifyStart', () => {
  it.each([
    ['M-SEARCH * HTTP/1.1', 'http'],
    ['PROPFIND /dav HTTP/1.1', 'http'],
    ['GET HTTP://x', 'http'],
    ['GET ws+x.y-z://', 'http'],
    ['\x16\x03', 'tls'],
    ['\x16', 'undecided'],
    ['\x16x', 'other'],
    ['GE /', 'other'],
    ['-GET /', 'other'],
    ['GET  /', 'other'],
    ['GET\t/', 'other'],
    ['GET x', 'undecided'],
    ['GET x ', 'other'],
    ['GET 1://', 'other'],
    [`GET ${'s'.repeat(16)}://`, 'http'],
    [`GET ${'s'.repeat(17)}://`, 'other'],
    [`${'A'.repeat(20)} /`, 'http'],
    [`${'A'.repeat(21)} /`, 'other'],
    ['CONNECTX /', 'http'],
    ['CONNECT ', 'http'],
    ['CONNEC x', 'undecided'],
  ])('%j -> %s', (input, want) => {
    expect(classifyStart(b(input))).toBe(want);
  });

  it('agrees with sniff on frames and text', () => {
    expect(sniff(b('\x00'))).toBe('frames');
    expect(sniff(b('GET / HTTP/1.1\r\n'))).toBe('text');
  });
});
