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
// u64 BE; they stay below 2^53. Over a WebSocket (the web page) each binary message is exactly one
// frame. Pure and free of Node-only APIs (Uint8Array, DataView, TextEncoder): the page bundles it.
//
//  type  name      dir   payload
//  0x01  HELLO     both  JSON {proto, caps[], agent, auth?}   first frame each way; proto must match
//  0x02  ATTACH    c→s   JSON {session, create, resume|null, cols, rows, readOnly, clientId, inputFrom, keepSize?, repaint?, inputWritten?}
//  0x03  ATTACHED  s→c   JSON {session, pid, offset, created, inputAck, cols?, rows?, clients?}
//  0x04  OUTPUT    s→c   u64 offset, bytes                    session output, in order
//  0x05  INPUT     c→s   u64 offset, bytes                    keystrokes; offset in the client's input stream
//  0x06  RESIZE    both  JSON {cols, rows}                    c→s: this client's size; s→c: the session's
//                                                             new size, to clients whose caps have "size"
//  0x07  ACK       c→s   JSON {offset}                        output received up to offset
//  0x08  PING      both  JSON {id}
//  0x09  PONG      both  JSON {id}
//  0x0a  DETACH    c→s   empty                                leave the session running
//  0x0b  EXIT      s→c   JSON {status, signal}                the session's program ended (status -1: unknown)
//  0x0c  GAP       s→c   JSON {from, to}                      bytes [from, to) left the ring: lost
//  0x0d  ERROR     both  JSON {code, message}                 then the sender closes
//  0x0e  SCREEN    s→c   u64 offset, bytes                    a redraw of the screen as of offset
//  0x0f  REQUEST   c→s   JSON {op: ls | kill | new | info | jobs | upgrade | events, …} a control request
//  0x10  REPLY     s→c   JSON {ok, …}                         `info` answers {ok, info: DaemonInfo}
//  0x11  EVENT     s→c   JSON RelayEvent (events.ts)          after REQUEST {op: events, session|null}:
//                                                             one per event, until the client closes
//
// Client capabilities in HELLO that change what the daemon sends: "size" (RESIZE frames when the
// session's size changes) and "screen-skip" (a client that falls behind the ring gets GAP then a
// fresh SCREEN, instead of the oldest bytes still held). `keepSize` in ATTACH: this writer does not
// set the session's size until it sends a RESIZE (a phone that must not shrink a shared session).

import type { RelayEvent } from './events';
import type { SandboxSummary } from './sandbox-info';
export const MAGIC = 0x00;
export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 6;
// Largest payload accepted: input and control frames are tiny, and the daemon sends output in
// chunks of at most OUTPUT_CHUNK_BYTES.
export const MAX_FRAME_BYTES = 1024 * 1024;
export const OUTPUT_CHUNK_BYTES = 64 * 1024;
// The largest terminal a client may ask for, in columns and in rows (ATTACH, RESIZE, REQUEST new).
// The screen mirror costs ~12 bytes a cell for good: 10000x10000 held 1.2 GB of the daemon's memory;
// 1000x1000 is ~12 MB, past any real screen (a 4K monitor at a 6 px font is ~640 columns). Clients
// clamp their own size to it (clampSize); the decoder refuses a frame beyond it.
export const MAX_TERM_DIM = 1000;

// `cols` x `rows` brought within 1..MAX_TERM_DIM, for a client whose window is bigger than that.
export function clampSize(cols: number, rows: number): { cols: number; rows: number } {
  const clamp = (n: number): number => (Number.isFinite(n) ? Math.min(MAX_TERM_DIM, Math.max(1, Math.floor(n))) : 1);
  return { cols: clamp(cols), rows: clamp(rows) };
}

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
  EVENT: 0x11,
  // The visible rows drawn again in place (cursor and modes untouched), as of `offset`: the
  // answer to an ATTACH with `repaint` once the resumed output has reached that offset.
  REPAINT: 0x12,
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
  keepSize?: boolean;
  // On a resume: the client drew over its screen while away (its reconnecting status), so once
  // the missed output is replayed the daemon draws the visible rows again (REPAINT).
  repaint?: boolean;
  // How far the client's input went out over its earlier connections. A daemon that does not know
  // the client (it took the session over after a crash, and keeps no input memory) counts that
  // much as received: only input typed while away is sent again, never a command twice.
  inputWritten?: number;
}
export interface Attached {
  session: string;
  pid: number | null;
  offset: number;
  created: boolean;
  inputAck: number;
  cols?: number; // the session's size after this attach
  rows?: number;
  clients?: number; // clients attached now, this one included
}
export interface SessionSummary {
  name: string;
  pid: number | null;
  command: string;
  shell?: boolean; // an integrated shell (runs exec jobs), not a program started with `new`
  state: string;
  clients: number;
  createdAt: string;
  idleMs: number;
  bytes: number; // output produced since the session started
  ringAllocated: number; // memory the session's ring holds now
  activity?: JobActivity | null; // a shell session's running or last command (none yet: null)
  sandbox?: SandboxSummary; // only for a sandboxed session
  // Its program's holder (README "Sessions that survive the daemon"): `held` with the holder's
  // pid; `none` (started with --no-holders, its holder gone, or no program now); `lost`: the
  // holder died while no daemon ran, so the shell is gone but its history and output are kept.
  // Absent from daemons before holders were listed.
  holder?: { state: 'held' | 'none' | 'lost'; pid: number | null };
}
// A shell session's running or last command, for session lists.
export interface JobActivity {
  id: number;
  command: string; // its first line, shortened, with "(+N lines)"
  origin: 'exec' | 'terminal';
  state: string; // queued, running, waiting for input, done, killed, failed
  status: number | null; // exit status, once ended
  startedAt: string;
  durationMs: number | null; // so far, while it runs
  prompt?: string; // the line it waits at (waiting for input)
  echoOff?: boolean; // ... with echo off (a password)
  needsYou: 'input' | 'failed' | null; // it waits for input, or ended with a failure
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

// One exec job a shell session ran, for the recent-commands list.
export interface JobSummary {
  id: number;
  command: string;
  state: string;
  status: number | null;
  startedAt: string;
  durationMs: number | null;
}
export type Request =
  | { op: 'ls' }
  | { op: 'info' }
  | { op: 'kill'; session: string }
  // command [] starts an integrated shell; sandbox: a profile name, null for the default profile
  | { op: 'new'; session: string; command: string[]; cols: number; rows: number; sandbox?: string | null }
  | { op: 'jobs'; session: string }
  | { op: 'output'; session: string; job: number; from?: number } // from: default the last OUTPUT_PAGE_BYTES
  | { op: 'upgrade' }
  | { op: 'events'; session: string | null }; // a live stream of EVENT frames (null: every session)
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
// A page of one job's output as its store keeps it (the text an exec reply got), as `#!output`.
export interface JobOutput {
  job: number;
  from: number; // offset of `text` in the job's output
  to: number;
  kept: number; // the first offset still kept (older output was released)
  head: number; // the output's length so far
  text: string;
}
// The most output one `output` request returns: enough for a screenful of history, small in a frame.
export const OUTPUT_PAGE_BYTES = 64 * 1024;
export type Reply = { ok: true; sessions?: SessionSummary[]; pid?: number | null; info?: DaemonInfo; jobs?: JobSummary[]; output?: JobOutput; upgrade?: UpgradeReport } | { ok: false; code: string; message: string };

// Decoded frames, one variant per type.
export type Frame =
  | { type: typeof FrameType.HELLO; body: Hello }
  | { type: typeof FrameType.ATTACH; body: Attach }
  | { type: typeof FrameType.ATTACHED; body: Attached }
  | { type: typeof FrameType.OUTPUT; offset: number; data: Uint8Array }
  | { type: typeof FrameType.INPUT; offset: number; data: Uint8Array }
  | { type: typeof FrameType.RESIZE; body: { cols: number; rows: number } }
  | { type: typeof FrameType.ACK; body: { offset: number } }
  | { type: typeof FrameType.PING; body: { id: number } }
  | { type: typeof FrameType.PONG; body: { id: number } }
  | { type: typeof FrameType.DETACH }
  | { type: typeof FrameType.EXIT; body: { status: number; signal: number } }
  | { type: typeof FrameType.GAP; body: { from: number; to: number } }
  | { type: typeof FrameType.ERROR; body: { code: string; message: string } }
  | { type: typeof FrameType.SCREEN; offset: number; data: Uint8Array }
  | { type: typeof FrameType.REPAINT; offset: number; data: Uint8Array }
  | { type: typeof FrameType.REQUEST; body: Request }
  | { type: typeof FrameType.REPLY; body: Reply }
  | { type: typeof FrameType.EVENT; body: RelayEvent };

const utf8 = new TextEncoder();
const TWO_32 = 2 ** 32;

// Writes the 6-byte header (and, for offset frames, the u64 offset) into the start of `out`.
function writeHeader(out: Uint8Array, type: number, length: number, offset?: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = MAGIC;
  out[1] = type;
  view.setUint32(2, length);
  if (offset !== undefined) {
    view.setUint32(HEADER_BYTES, Math.floor(offset / TWO_32));
    view.setUint32(HEADER_BYTES + 4, offset % TWO_32);
  }
}

// Encodes one frame. Pure: the same frame always gives the same bytes.
export function encode(frame: Frame): Uint8Array {
  switch (frame.type) {
    case FrameType.OUTPUT:
    case FrameType.INPUT:
    case FrameType.SCREEN:
    case FrameType.REPAINT: {
      const out = new Uint8Array(HEADER_BYTES + 8 + frame.data.length);
      writeHeader(out, frame.type, 8 + frame.data.length, frame.offset);
      out.set(frame.data, HEADER_BYTES + 8);
      return out;
    }
    case FrameType.DETACH: {
      const out = new Uint8Array(HEADER_BYTES);
      writeHeader(out, frame.type, 0);
      return out;
    }
    default: {
      const json = utf8.encode(JSON.stringify(frame.body));
      const out = new Uint8Array(HEADER_BYTES + json.length);
      writeHeader(out, frame.type, json.length);
      out.set(json, HEADER_BYTES);
      return out;
    }
  }
}

// The header of an OUTPUT frame alone, so a sender can write the ring's bytes without copying them.
export function outputHeader(offset: number, length: number): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES + 8);
  writeHeader(h, FrameType.OUTPUT, 8 + length, offset);
  return h;
}
