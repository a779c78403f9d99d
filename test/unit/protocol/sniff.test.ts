import { describe, expect, it } from 'vitest';
import { route, sniff } from '../../../src/protocol/sniff';

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
    ['GET /x', 'undecided'],
    ['GET /x HTT', 'undecided'],
    ['echo hi\n', 'text'],
    ['ls', 'text'],
    ['GET /x\n', 'text'],
    ['GETTING THERE\n', 'text'],
    ['PS1=x\n', 'text'],
    ['#!session a\necho 1\n', 'text'],
    ['get / HTTP/1.1\r\n', 'text'],
  ])('%j -> %s', (input, want) => {
    expect(route(b(input))).toBe(want);
  });

  it('gives up waiting on an endless request line', () => {
    expect(route(b(`GET /${'a'.repeat(9000)}`))).toBe('text');
  });

  it('agrees with sniff on frames and text', () => {
    expect(sniff(b('\x00'))).toBe('frames');
    expect(sniff(b('GET / HTTP/1.1\r\n'))).toBe('text');
  });
});
