import { describe, expect, it } from 'vitest';
import { Decoder, FrameError } from '../../../src/protocol/decoder';
import { encode, FrameType, outputHeader, type Frame } from '../../../src/protocol/frame';

const FRAMES: Frame[] = [
  { type: FrameType.HELLO, body: { proto: 1, caps: ['resume', 'screen'], agent: 'test/1' } },
  { type: FrameType.ATTACH, body: { session: 'main', create: true, resume: 12345, cols: 120, rows: 40, readOnly: false, clientId: 'abc', inputFrom: 7 } },
  { type: FrameType.ATTACHED, body: { session: 'main', pid: 42, offset: 12345, created: false, inputAck: 3 } },
  { type: FrameType.OUTPUT, offset: 2 ** 40 + 5, data: Buffer.from('hello \x00\x1b[1m world\r\n') },
  { type: FrameType.INPUT, offset: 9, data: Buffer.from([0, 1, 2, 255]) },
  { type: FrameType.RESIZE, body: { cols: 80, rows: 24 } },
  { type: FrameType.ACK, body: { offset: 65536 } },
  { type: FrameType.PING, body: { id: 1 } },
  { type: FrameType.PONG, body: { id: 1 } },
  { type: FrameType.DETACH },
  { type: FrameType.EXIT, body: { status: 3, signal: 0 } },
  { type: FrameType.GAP, body: { from: 10, to: 4096 } },
  { type: FrameType.ERROR, body: { code: 'PR_ERR_X', message: 'bad' } },
  { type: FrameType.SCREEN, offset: 0, data: Buffer.alloc(0) },
  { type: FrameType.REQUEST, body: { op: 'new', session: 's', command: ['vim', 'x'], cols: 80, rows: 24 } },
  { type: FrameType.REPLY, body: { ok: true, pid: 1 } },
  { type: FrameType.REQUEST, body: { op: 'info' } },
  { type: FrameType.REPLY, body: { ok: true, info: { version: '0.1.0', pid: 7, uid: 1000, shell: '/bin/bash', runtimeBase: '/run/user/1000/pty-relay', socket: null } } },
];

// Frames compare by content: byte payloads as plain arrays, whatever their container (the codec
// hands out Uint8Array views; the fixtures are Buffers).
const normalize = (frames: Frame[]): unknown => JSON.parse(JSON.stringify(frames.map((f) => ('data' in f ? { ...f, data: [...f.data] } : f))));

describe('frame codec', () => {
  const stream = Buffer.concat(FRAMES.map(encode));

  it('round-trips every frame type', () => {
    expect(normalize(new Decoder().push(stream))).toEqual(normalize(FRAMES));
  });

  it('decodes the same frames whatever the split point', () => {
    for (let i = 0; i <= stream.length; i++) {
      const d = new Decoder();
      const got = [...d.push(stream.subarray(0, i)), ...d.push(stream.subarray(i))];
      expect(normalize(got)).toEqual(normalize(FRAMES));
      expect(d.pending()).toBe(0);
    }
  });

  it('decodes byte by byte', () => {
    const d = new Decoder();
    const got: Frame[] = [];
    for (const b of stream) got.push(...d.push(Buffer.from([b])));
    expect(normalize(got)).toEqual(normalize(FRAMES));
  });

  it('builds OUTPUT headers that match encode()', () => {
    const data = Buffer.from('abc');
    expect(Buffer.concat([outputHeader(77, 3), data])).toEqual(Buffer.from(encode({ type: FrameType.OUTPUT, offset: 77, data })));
  });
});

describe('malformed input', () => {
  const fails = (bytes: Buffer, code: string, max?: number): void => {
    const d = new Decoder(max);
    let err: unknown;
    try {
      d.push(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameError);
    expect((err as FrameError).code).toBe(code);
  };
  const frame = (type: number, payload: Buffer | string): Buffer => {
    const p = Buffer.from(payload);
    const h = Buffer.from([0, type, 0, 0, 0, 0]);
    h.writeUInt32BE(p.length, 2);
    return Buffer.concat([h, p]);
  };

  it('rejects a missing magic byte, even after a valid frame', () => {
    fails(Buffer.concat([encode({ type: FrameType.PING, body: { id: 1 } }), Buffer.from('GET /')]), 'PR_ERR_FRAME_MAGIC');
  });
  it('rejects an unknown type as soon as its byte arrives', () => fails(Buffer.from([0, 0x7f]), 'PR_ERR_FRAME_TYPE'));
  it('rejects an oversize frame from its header alone', () => fails(Buffer.from([0, FrameType.INPUT, 0, 0x20, 0, 0]), 'PR_ERR_FRAME_SIZE', 1024 * 1024));
  it.each([
    ['not JSON', frame(FrameType.PING, '{nope')],
    ['a JSON array', frame(FrameType.PING, '[1]')],
    ['a missing field', frame(FrameType.RESIZE, '{"cols":80}')],
    ['a zero size', frame(FrameType.RESIZE, '{"cols":0,"rows":24}')],
    ['a negative offset', frame(FrameType.ACK, '{"offset":-1}')],
    ['a bad op', frame(FrameType.REQUEST, '{"op":"rm"}')],
    ['kill without a session', frame(FrameType.REQUEST, '{"op":"kill"}')],
    ['a command of non-strings', frame(FrameType.REQUEST, '{"op":"new","session":"x","command":[1],"cols":1,"rows":1}')],
    ['a sandbox that is not a profile name', frame(FrameType.REQUEST, '{"op":"new","session":"x","command":[],"cols":1,"rows":1,"sandbox":true}')],
    ['a short offset', frame(FrameType.OUTPUT, Buffer.from([0, 0, 1]))],
    ['an offset past 2^53', frame(FrameType.INPUT, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))],
    ['a bad attach', frame(FrameType.ATTACH, '{"session":"x","create":true,"resume":"0","cols":1,"rows":1,"readOnly":false,"clientId":"c","inputFrom":0}')],
  ])('rejects %s', (_, bytes) => fails(bytes, 'PR_ERR_FRAME_BODY'));

  it('survives a small fuzz loop: random bytes after a valid prefix only ever raise FrameError', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const prefix = encode({ type: FrameType.HELLO, body: { proto: 1, caps: [], agent: 'x' } });
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      if (junk.length > 1 && rand() < 0.5) junk[0] = 0; // often keep the magic so the body gets parsed
      const d = new Decoder(4096);
      try {
        d.push(Buffer.concat([prefix, junk]));
      } catch (e) {
        expect(e).toBeInstanceOf(FrameError);
      }
    }
  });
});
