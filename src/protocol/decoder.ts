// Turns a byte stream into frames, whatever the chunking. Malformed input raises a FrameError with
// a stable code; the caller answers with an ERROR frame and closes that one connection.
import { FrameType, HEADER_BYTES, MAGIC, MAX_FRAME_BYTES, type Frame } from './frame';

export type FrameErrorCode = 'PR_ERR_FRAME_MAGIC' | 'PR_ERR_FRAME_TYPE' | 'PR_ERR_FRAME_SIZE' | 'PR_ERR_FRAME_BODY';

export class FrameError extends Error {
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

const KNOWN = new Set<number>(Object.values(FrameType));
const WITH_OFFSET = new Set<number>([FrameType.OUTPUT, FrameType.INPUT, FrameType.SCREEN]);

export class Decoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  // Feeds bytes; returns every complete frame. Throws FrameError on the first malformed one.
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (this.buf.length - at >= 1) {
      if (this.buf[at] !== MAGIC) throw new FrameError('PR_ERR_FRAME_MAGIC', `frame does not start with 0x00 (got 0x${(this.buf[at] as number).toString(16)})`);
      if (this.buf.length - at >= 2 && !KNOWN.has(this.buf[at + 1] as number)) {
        throw new FrameError('PR_ERR_FRAME_TYPE', `unknown frame type 0x${(this.buf[at + 1] as number).toString(16)}`);
      }
      if (this.buf.length - at < HEADER_BYTES) break;
      const type = this.buf[at + 1] as number;
      const len = this.buf.readUInt32BE(at + 2);
      if (len > this.maxFrameBytes) throw new FrameError('PR_ERR_FRAME_SIZE', `frame of ${len} bytes exceeds the ${this.maxFrameBytes}-byte limit`);
      if (this.buf.length - at < HEADER_BYTES + len) break;
      const payload = this.buf.subarray(at + HEADER_BYTES, at + HEADER_BYTES + len);
      frames.push(decodePayload(type, payload));
      at += HEADER_BYTES + len;
    }
    this.buf = at === 0 ? this.buf : Buffer.from(this.buf.subarray(at));
    return frames;
  }

  // Bytes of an incomplete frame still held.
  pending(): number {
    return this.buf.length;
  }
}

function decodePayload(type: number, payload: Buffer): Frame {
  if (WITH_OFFSET.has(type)) {
    if (payload.length < 8) throw new FrameError('PR_ERR_FRAME_BODY', 'frame too short for its offset');
    const big = payload.readBigUInt64BE(0);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new FrameError('PR_ERR_FRAME_BODY', 'offset out of range');
    return { type, offset: Number(big), data: payload.subarray(8) } as Frame;
  }
  if (type === FrameType.DETACH) return { type };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new FrameError('PR_ERR_FRAME_BODY', `frame type 0x${type.toString(16)} has a malformed JSON body`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FrameError('PR_ERR_FRAME_BODY', `frame type 0x${type.toString(16)} needs a JSON object`);
  }
  validate(type, body as Record<string, unknown>);
  return { type, body } as Frame;
}

const isInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isDim = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 10_000;

// Checks the fields the receiver relies on; extra fields are allowed for forward compatibility.
function validate(type: number, b: Record<string, unknown>): void {
  const bad = (what: string): never => {
    throw new FrameError('PR_ERR_FRAME_BODY', `frame type 0x${type.toString(16)}: ${what}`);
  };
  switch (type) {
    case FrameType.HELLO:
      if (!Number.isInteger(b.proto)) bad('proto must be an integer');
      if (!Array.isArray(b.caps)) bad('caps must be an array');
      return;
    case FrameType.ATTACH:
      if (typeof b.session !== 'string') bad('session must be a string');
      if (b.resume !== null && !isInt(b.resume)) bad('resume must be null or an offset');
      if (!isDim(b.cols) || !isDim(b.rows)) bad('cols and rows must be 1-10000');
      if (typeof b.readOnly !== 'boolean' || typeof b.create !== 'boolean') bad('readOnly and create must be booleans');
      if (typeof b.clientId !== 'string' || b.clientId.length > 64) bad('clientId must be a short string');
      if (!isInt(b.inputFrom)) bad('inputFrom must be an offset');
      return;
    case FrameType.RESIZE:
      if (!isDim(b.cols) || !isDim(b.rows)) bad('cols and rows must be 1-10000');
      return;
    case FrameType.ACK:
      if (!isInt(b.offset)) bad('offset must be a non-negative integer');
      return;
    case FrameType.PING:
    case FrameType.PONG:
      if (!isInt(b.id)) bad('id must be a non-negative integer');
      return;
    case FrameType.REQUEST:
      if (b.op !== 'ls' && b.op !== 'kill' && b.op !== 'new' && b.op !== 'info' && b.op !== 'upgrade') bad('op must be ls, kill, new, info or upgrade');
      if ((b.op === 'kill' || b.op === 'new') && typeof b.session !== 'string') bad('session must be a string');
      if (b.op === 'new' && (!Array.isArray(b.command) || b.command.length === 0 || !b.command.every((w) => typeof w === 'string'))) {
        bad('command must be a non-empty array of strings');
      }
      if (b.op === 'new' && (!isDim(b.cols) || !isDim(b.rows))) bad('cols and rows must be 1-10000');
      return;
    case FrameType.ERROR:
      if (typeof b.code !== 'string' || typeof b.message !== 'string') bad('code and message must be strings');
      return;
    default:
      return;
  }
}
