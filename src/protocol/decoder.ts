// Turns a byte stream into frames, whatever the chunking. Malformed input raises a FrameError with
// a stable code; the caller answers with an ERROR frame and closes that one connection.
// Pure and free of Node-only APIs: the web page bundles it.
import { FrameType, HEADER_BYTES, MAGIC, MAX_FRAME_BYTES, MAX_TERM_DIM, type Frame } from './frame';

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
const WITH_OFFSET = new Set<number>([FrameType.OUTPUT, FrameType.INPUT, FrameType.SCREEN, FrameType.REPAINT]);

const EMPTY = new Uint8Array(0);
// ignoreBOM: a leading BOM stays and fails JSON.parse, as it always did.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export class Decoder {
  private buf: Uint8Array = EMPTY;

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  // Feeds bytes; returns every complete frame. Throws FrameError on the first malformed one.
  push(chunk: Uint8Array): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : concat(this.buf, chunk);
    const buf = this.buf;
    const frames: Frame[] = [];
    let at = 0;
    while (buf.length - at >= 1) {
      const len = this.header(buf, at);
      if (len === null || buf.length - at < HEADER_BYTES + len) break;
      frames.push(decodePayload(buf[at + 1] as number, buf.subarray(at + HEADER_BYTES, at + HEADER_BYTES + len)));
      at += HEADER_BYTES + len;
    }
    // Keep a copy of the unfinished frame, not a view that would pin the whole chunk.
    this.buf = at === 0 ? buf : buf.slice(at);
    return frames;
  }

  // Bytes of an incomplete frame still held.
  pending(): number {
    return this.buf.length;
  }

  // Checks the header at `at` as far as it has arrived; its payload length, or null if incomplete.
  private header(buf: Uint8Array, at: number): number | null {
    if (buf[at] !== MAGIC) throw new FrameError('PR_ERR_FRAME_MAGIC', `frame does not start with 0x00 (got 0x${(buf[at] as number).toString(16)})`);
    if (buf.length - at >= 2 && !KNOWN.has(buf[at + 1] as number)) {
      throw new FrameError('PR_ERR_FRAME_TYPE', `unknown frame type 0x${(buf[at + 1] as number).toString(16)}`);
    }
    if (buf.length - at < HEADER_BYTES) return null;
    const len = new DataView(buf.buffer, buf.byteOffset + at + 2, 4).getUint32(0);
    if (len > this.maxFrameBytes) throw new FrameError('PR_ERR_FRAME_SIZE', `frame of ${len} bytes exceeds the ${this.maxFrameBytes}-byte limit`);
    return len;
  }
}

// Decodes a message that must hold exactly one frame (one WebSocket message = one frame).
export function decodeMessage(msg: Uint8Array, maxFrameBytes = MAX_FRAME_BYTES): Frame {
  const frames = new Decoder(maxFrameBytes).push(msg);
  const total = frames.length === 1 ? frameLength(msg) : -1;
  if (total !== msg.length) throw new FrameError('PR_ERR_FRAME_BODY', `a message must hold exactly one frame (got ${frames.length} frame(s) in ${msg.length} bytes)`);
  return frames[0] as Frame;
}

// The full length of the frame at the start of `buf` (header included); -1 if it is too short.
function frameLength(buf: Uint8Array): number {
  if (buf.length < HEADER_BYTES) return -1;
  return HEADER_BYTES + new DataView(buf.buffer, buf.byteOffset + 2, 4).getUint32(0);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function decodePayload(type: number, payload: Uint8Array): Frame {
  if (WITH_OFFSET.has(type)) {
    if (payload.length < 8) throw new FrameError('PR_ERR_FRAME_BODY', 'frame too short for its offset');
    const view = new DataView(payload.buffer, payload.byteOffset, 8);
    const hi = view.getUint32(0);
    // 2^53 = 2^21 * 2^32: a high word of 2^21 or more is past Number.MAX_SAFE_INTEGER.
    if (hi >= 2 ** 21) throw new FrameError('PR_ERR_FRAME_BODY', 'offset out of range');
    return { type, offset: hi * 2 ** 32 + view.getUint32(4), data: payload.subarray(8) } as Frame;
  }
  if (type === FrameType.DETACH) return { type };
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(payload));
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
const isDim = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_TERM_DIM;
const DIM_RULE = `cols and rows must be 1-${MAX_TERM_DIM}`;

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
      if (!isDim(b.cols) || !isDim(b.rows)) bad(DIM_RULE);
      if (typeof b.readOnly !== 'boolean' || typeof b.create !== 'boolean') bad('readOnly and create must be booleans');
      if (typeof b.clientId !== 'string' || b.clientId.length > 64) bad('clientId must be a short string');
      if (!isInt(b.inputFrom)) bad('inputFrom must be an offset');
      if (b.keepSize !== undefined && typeof b.keepSize !== 'boolean') bad('keepSize must be a boolean');
      if (b.repaint !== undefined && typeof b.repaint !== 'boolean') bad('repaint must be a boolean');
      if (b.inputWritten !== undefined && !isInt(b.inputWritten)) bad('inputWritten must be an offset');
      return;
    case FrameType.RESIZE:
      if (!isDim(b.cols) || !isDim(b.rows)) bad(DIM_RULE);
      return;
    case FrameType.ACK:
      if (!isInt(b.offset)) bad('offset must be a non-negative integer');
      return;
    case FrameType.PING:
    case FrameType.PONG:
      if (!isInt(b.id)) bad('id must be a non-negative integer');
      return;
    case FrameType.REQUEST:
      if (!['ls', 'kill', 'new', 'info', 'jobs', 'output', 'upgrade', 'events'].includes(b.op as string)) bad('op must be ls, kill, new, info, jobs, output, upgrade or events');
      if (b.op === 'events' && b.session !== null && typeof b.session !== 'string') bad('session must be a string or null');
      if (b.op !== 'ls' && b.op !== 'info' && b.op !== 'upgrade' && b.op !== 'events' && typeof b.session !== 'string') bad('session must be a string');
      if (b.op === 'new' && (!Array.isArray(b.command) || !b.command.every((w) => typeof w === 'string'))) {
        bad('command must be an array of strings (empty: a shell)');
      }
      if (b.op === 'new' && b.sandbox !== undefined && b.sandbox !== null && typeof b.sandbox !== 'string') bad('sandbox must be a profile name or null');
      if (b.op === 'new' && (!isDim(b.cols) || !isDim(b.rows))) bad(DIM_RULE);
      if (b.op === 'output' && (!isInt(b.job) || (b.from !== undefined && !isInt(b.from)))) bad('job and from must be non-negative integers');
      return;
    case FrameType.EVENT:
      if (typeof b.type !== 'string' || typeof b.time !== 'string') bad('type and time must be strings');
      return;
    case FrameType.ERROR:
      if (typeof b.code !== 'string' || typeof b.message !== 'string') bad('code and message must be strings');
      return;
    default:
      return;
  }
}
