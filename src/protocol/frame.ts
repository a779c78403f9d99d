// The attach protocol's byte layout. This module and decoder.ts are the only code that touches
// frame bytes. Every frame is:
//
//    0        1        2                  6
//   +--------+--------+------------------+---------------------+
//   | 0x00   | type   | length (u32 BE)  | payload (length)    |
//   +--------+--------+------------------+---------------------+
//
// The leading NUL is the magic that tells frames from exec text: no shell text starts with NUL.
// Offsets are absolute byte positions in a session's output (or a client's input) stream, sent as
// u64 BE; they stay below 2^53.
//
//  type  name      dir   payload
//  0x01  HELLO     both  JSON {proto, caps[], agent, auth?}   first frame each way; proto must match
//  0x02  ATTACH    c→s   JSON {session, create, resume|null, cols, rows, readOnly, clientId, inputFrom}
//  0x03  ATTACHED  s→c   JSON {session, pid, offset, created, inputAck}
//  0x04  OUTPUT    s→c   u64 offset, bytes                    session output, in order
//  0x05  INPUT     c→s   u64 offset, bytes                    keystrokes; offset in the client's input stream
//  0x06  RESIZE    c→s   JSON {cols, rows}
//  0x07  ACK       c→s   JSON {offset}                        output received up to offset
//  0x08  PING      both  JSON {id}
//  0x09  PONG      both  JSON {id}
//  0x0a  DETACH    c→s   empty                                leave the session running
//  0x0b  EXIT      s→c   JSON {status, signal}                the session's program ended (status -1: unknown)
//  0x0c  GAP       s→c   JSON {from, to}                      bytes [from, to) left the ring: lost
//  0x0d  ERROR     both  JSON {code, message}                 then the sender closes
//  0x0e  SCREEN    s→c   u64 offset, bytes                    a redraw of the screen as of offset
//  0x0f  REQUEST   c→s   JSON {op: ls | kill | new | info | upgrade, …} a one-shot control request
//  0x10  REPLY     s→c   JSON {ok, …}                         `info` answers {ok, info: DaemonInfo}

export const MAGIC = 0x00;
export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 6;
// Largest payload accepted: input and control frames are tiny, and the daemon sends output in
// chunks of at most OUTPUT_CHUNK_BYTES.
export const MAX_FRAME_BYTES = 1024 * 1024;
export const OUTPUT_CHUNK_BYTES = 64 * 1024;

export const FrameType = {
  HELLO: 0x01,
  ATTACH: 0x02,
  ATTACHED: 0x03,
  OUTPUT: 0x04,
  INPUT: 0x05,
  RESIZE: 0x06,
  ACK: 0x07,
  PING: 0x08,
  PONG: 0x09,
  DETACH: 0x0a,
  EXIT: 0x0b,
  GAP: 0x0c,
  ERROR: 0x0d,
  SCREEN: 0x0e,
  REQUEST: 0x0f,
  REPLY: 0x10,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

export interface Hello {
  proto: number;
  caps: string[];
  agent: string;
  auth?: string; // the shared secret, when the daemon requires one (client → server only)
}
export interface Attach {
  session: string;
  create: boolean;
  resume: number | null;
  cols: number;
  rows: number;
  readOnly: boolean;
  clientId: string;
  inputFrom: number;
}
export interface Attached {
  session: string;
  pid: number | null;
  offset: number;
  created: boolean;
  inputAck: number;
}
export interface SessionSummary {
  name: string;
  pid: number | null;
  command: string;
  state: string;
  clients: number;
  createdAt: string;
  idleMs: number;
  bytes: number; // output produced since the session started
  ringAllocated: number; // memory the session's ring holds now
}
// What a daemon says about itself to `pty-relay doctor` (after the HELLO, so only to its own user
// and, with a secret, only to a client that has it).
export interface DaemonInfo {
  version: string;
  pid: number;
  uid: number | null;
  shell: string; // the bash new sessions run
  runtimeBase: string; // the per-user runtime directory
  socket: string | null; // the unix socket it listens on
}
export type Request =
  | { op: 'ls' }
  | { op: 'info' }
  | { op: 'kill'; session: string }
  | { op: 'new'; session: string; command: string[]; cols: number; rows: number }
  | { op: 'upgrade' };
// What `upgrade` did: the daemon process before and after, and what it handed over.
export interface UpgradeReport {
  from: { pid: number; version: string };
  to: { pid: number; version: string };
  sessions: number;
  connections: number; // connections that arrived during the switch and were handed over unread
  ms: number;
  frozenMs: number; // how long the sessions' output stood still
  warning?: string;
}
export type Reply = { ok: true; sessions?: SessionSummary[]; pid?: number | null; info?: DaemonInfo; upgrade?: UpgradeReport } | { ok: false; code: string; message: string };

// Decoded frames, one variant per type.
export type Frame =
  | { type: typeof FrameType.HELLO; body: Hello }
  | { type: typeof FrameType.ATTACH; body: Attach }
  | { type: typeof FrameType.ATTACHED; body: Attached }
  | { type: typeof FrameType.OUTPUT; offset: number; data: Buffer }
  | { type: typeof FrameType.INPUT; offset: number; data: Buffer }
  | { type: typeof FrameType.RESIZE; body: { cols: number; rows: number } }
  | { type: typeof FrameType.ACK; body: { offset: number } }
  | { type: typeof FrameType.PING; body: { id: number } }
  | { type: typeof FrameType.PONG; body: { id: number } }
  | { type: typeof FrameType.DETACH }
  | { type: typeof FrameType.EXIT; body: { status: number; signal: number } }
  | { type: typeof FrameType.GAP; body: { from: number; to: number } }
  | { type: typeof FrameType.ERROR; body: { code: string; message: string } }
  | { type: typeof FrameType.SCREEN; offset: number; data: Buffer }
  | { type: typeof FrameType.REQUEST; body: Request }
  | { type: typeof FrameType.REPLY; body: Reply };

function header(type: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES);
  h[0] = MAGIC;
  h[1] = type;
  h.writeUInt32BE(length, 2);
  return h;
}

// Encodes one frame. Pure: the same frame always gives the same bytes.
export function encode(frame: Frame): Buffer {
  switch (frame.type) {
    case FrameType.OUTPUT:
    case FrameType.INPUT:
    case FrameType.SCREEN: {
      const h = header(frame.type, 8 + frame.data.length);
      const off = Buffer.allocUnsafe(8);
      off.writeBigUInt64BE(BigInt(frame.offset));
      return Buffer.concat([h, off, frame.data]);
    }
    case FrameType.DETACH:
      return header(frame.type, 0);
    default: {
      const json = Buffer.from(JSON.stringify(frame.body), 'utf8');
      return Buffer.concat([header(frame.type, json.length), json]);
    }
  }
}

// The header of an OUTPUT frame alone, so a sender can write the ring's bytes without copying them.
export function outputHeader(offset: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES + 8);
  h[0] = MAGIC;
  h[1] = FrameType.OUTPUT;
  h.writeUInt32BE(8 + length, 2);
  h.writeBigUInt64BE(BigInt(offset), HEADER_BYTES);
  return h;
}
