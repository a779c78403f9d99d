// The handover document: what one daemon process hands the next so that every session lives on.
// It travels over a pipe of its own (fd 3 of the new process), as bytes laid out like this:
//
//   "PTY-RELAY-HANDOVER " <format, decimal> "\n"     read first: a format this build does not
//                                                    know is refused before anything else is read
//   u32 BE  n          length of the JSON that follows
//   n bytes            the document as JSON; every byte string in it is {"$blob": i}
//   u32 BE  k          number of blobs
//   k × (u32 BE len, len bytes)                      blob 0, blob 1, …
//
// Raw blobs keep rings and job output (up to 64 MiB per session) out of JSON and base64.
// HANDOVER_FORMAT changes whenever the document's meaning changes; a build reads only the formats
// in READABLE_FORMATS, which the new process announces (messages.ts) before anything is frozen.
import { RelayError } from '../../errors';
import type { InheritedListener } from '../server/listeners';
import type { SessionHandover } from '../session/session';

export const HANDOVER_FORMAT = 1;
export const READABLE_FORMATS: readonly number[] = [HANDOVER_FORMAT];
const PREAMBLE = 'PTY-RELAY-HANDOVER ';
// The preamble line is short; anything longer is not a handover.
const MAX_PREAMBLE_BYTES = 64;

export interface HandoverDocument {
  format: number;
  from: { pid: number; version: string };
  runtimeDir: string; // the instance directory: rc and script files stay where they are
  inherited: number; // fds FIRST_INHERITED_FD… passed; those the document does not name are closed
  listeners: InheritedListener[]; // fds in the new process
  sessions: Array<{ fd: number | null; input: Buffer; state: SessionHandover }>; // input: typed, not yet written
}

// The document as bytes, in the layout above.
export function encodeDocument(doc: HandoverDocument, format = HANDOVER_FORMAT): Buffer[] {
  const blobs: Buffer[] = [];
  // Lifted before stringify: Buffer.toJSON would turn them into arrays of numbers first.
  const text = JSON.stringify(lift(doc, blobs));
  const head = Buffer.from(`${PREAMBLE}${format}\n`, 'latin1');
  const body = Buffer.from(text, 'utf8');
  const out: Buffer[] = [head, u32(body.length), body, u32(blobs.length)];
  for (const b of blobs) out.push(u32(b.length), b);
  return out;
}

// The format named by a stream's first line, or null while the line is incomplete. Throws when
// the bytes are not a handover document.
export function readFormat(bytes: Buffer): { format: number; rest: Buffer } | null {
  const nl = bytes.indexOf(0x0a);
  if (nl === -1) {
    if (bytes.length > MAX_PREAMBLE_BYTES) throw notHandover();
    return null;
  }
  const line = bytes.toString('latin1', 0, nl);
  const m = /^PTY-RELAY-HANDOVER (\d{1,6})$/.exec(line);
  if (m === null) throw notHandover();
  return { format: Number(m[1]), rest: bytes.subarray(nl + 1) };
}

// Decodes what follows the preamble (of a format this build reads).
export function decodeDocument(rest: Buffer): HandoverDocument {
  let at = 0;
  const take = (n: number): Buffer => {
    if (at + n > rest.length) throw new RelayError('PR_ERR_HANDOVER', `the handover document is cut short (${rest.length} bytes)`);
    const b = rest.subarray(at, at + n);
    at += n;
    return b;
  };
  const json = take(take(4).readUInt32BE(0)).toString('utf8');
  const count = take(4).readUInt32BE(0);
  const blobs: Buffer[] = [];
  for (let i = 0; i < count; i++) blobs.push(take(take(4).readUInt32BE(0)));
  let doc: unknown;
  try {
    doc = JSON.parse(json, (_key, value: unknown) => (isBlobRef(value) ? blobs[value.$blob] ?? missing(value.$blob) : value));
  } catch (err) {
    if (err instanceof RelayError) throw err;
    throw new RelayError('PR_ERR_HANDOVER', 'the handover document is not valid JSON', { cause: err });
  }
  return doc as HandoverDocument;
}

// Replaces every Buffer in `v` by a reference to its place in `blobs`.
function lift(v: unknown, blobs: Buffer[]): unknown {
  if (Buffer.isBuffer(v)) return { $blob: blobs.push(v) - 1 };
  if (Array.isArray(v)) return v.map((x) => lift(x, blobs));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = lift(x, blobs);
    return out;
  }
  return v;
}

function isBlobRef(v: unknown): v is { $blob: number } {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 1 && Number.isInteger((v as { $blob?: unknown }).$blob);
}

function missing(i: number): never {
  throw new RelayError('PR_ERR_HANDOVER', `the handover document refers to blob ${i}, which it does not carry`);
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function notHandover(): RelayError {
  return new RelayError('PR_ERR_HANDOVER', 'fd 3 does not carry a pty-relay handover document');
}
