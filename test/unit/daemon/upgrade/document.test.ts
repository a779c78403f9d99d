import { describe, expect, it } from 'vitest';
import { decodeDocument, encodeDocument, HANDOVER_FORMAT, readFormat, type HandoverDocument } from '../../../../src/daemon/upgrade/document';

function doc(): HandoverDocument {
  return {
    format: HANDOVER_FORMAT,
    from: { pid: 42, version: '1.2.3' },
    runtimeDir: '/run/user/1000/pty-relay/d-abc',
    inherited: 3,
    listeners: [
      { fd: 5, viaUnix: false },
      { fd: 6, viaUnix: true },
    ],
    sessions: [
      { fd: 7, input: Buffer.from('typed\r'), state: { name: 'a', nested: [Buffer.from([0, 255, 10]), { deeper: Buffer.alloc(0) }], nothing: null } as never },
      { fd: null, input: Buffer.alloc(0), state: { name: 'b', text: 'ünïcödé', ring: { head: 9, data: Buffer.from('ring') } } as never },
    ],
  };
}

describe('the handover document', () => {
  it('round-trips, byte strings included, through any chunking of its bytes', () => {
    const bytes = Buffer.concat(encodeDocument(doc()));
    for (const cut of [1, 7, 19, 20, 21, 64, bytes.length - 1]) {
      const head = readFormat(bytes.subarray(0, cut));
      if (head === null) continue; // the first line is not complete yet
      expect(head.format).toBe(HANDOVER_FORMAT);
    }
    const head = readFormat(bytes);
    expect(head?.format).toBe(HANDOVER_FORMAT);
    const back = decodeDocument(head!.rest);
    expect(back).toEqual(doc());
    expect(Buffer.isBuffer((back.sessions[0]!.state as unknown as { nested: Buffer[] }).nested[0])).toBe(true);
  });

  it('names its format on the first line, so a reader can refuse it before reading on', () => {
    const bytes = Buffer.concat(encodeDocument(doc(), 7));
    expect(bytes.toString('latin1', 0, bytes.indexOf(0x0a) + 1)).toBe('PTY-RELAY-HANDOVER 7\n');
    expect(readFormat(bytes)?.format).toBe(7);
  });

  it.each([
    ['another program', 'GET / HTTP/1.1\r\n'],
    ['a bad format number', 'PTY-RELAY-HANDOVER x\n'],
    ['a first line that never ends', 'PTY-RELAY-HANDOVER 1'.padEnd(80, '1')],
  ])('refuses %s', (_, text) => {
    expect(() => readFormat(Buffer.from(text))).toThrow(/does not carry a pty-relay handover document/);
  });

  it('says so when the document is cut short or refers to a blob it lacks', () => {
    const rest = readFormat(Buffer.concat(encodeDocument(doc())))!.rest;
    expect(() => decodeDocument(rest.subarray(0, rest.length - 2))).toThrow(/cut short/);
    const json = Buffer.from('{"x":{"$blob":3}}');
    const lying = Buffer.concat([Buffer.from([0, 0, 0, json.length]), json, Buffer.from([0, 0, 0, 0])]);
    expect(() => decodeDocument(lying)).toThrow(/refers to blob 3/);
  });
});
