// The control messages the two daemon processes exchange over Node's IPC channel during a
// handover (the document itself travels apart, see document.ts). Kept few and stable: an old
// daemon and a new one of different versions must both understand them.
//
//   new → old  hello     started: its version and the document formats it reads
//   new → old  adopted   every session is taken over; nothing read or accepted yet
//   new → old  failed    the new process cannot take over (it exits); `message` says why
//   old → new  commit    go: read the PTYs, accept connections
//   new → old  ready     serving; systemd told of the new main process when under systemd
//   old → new  conn      (with a socket handle) a connection that arrived during the switch, unread
import type * as net from 'node:net';

export type NotifyOutcome = 'none' | 'sent' | 'failed';

export type FromNew =
  | { t: 'hello'; version: string; formats: number[] }
  | { t: 'adopted'; sessions: number }
  | { t: 'failed'; message: string }
  | { t: 'ready'; pid: number; version: string; notify: NotifyOutcome; notifyError?: string };

export type FromOld = { t: 'commit' } | { t: 'conn'; viaUnix: boolean };

// The message if `m` is one a new daemon sends, else null.
export function asFromNew(m: unknown): FromNew | null {
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.t === 'hello' && typeof o.version === 'string' && Array.isArray(o.formats)) return o as FromNew;
  if (o.t === 'adopted' && Number.isInteger(o.sessions)) return o as FromNew;
  if (o.t === 'failed' && typeof o.message === 'string') return o as FromNew;
  if (o.t === 'ready' && Number.isInteger(o.pid) && typeof o.version === 'string') return o as FromNew;
  return null;
}

// The message if `m` is one an old daemon sends, else null; a `conn` comes with its socket.
export function asFromOld(m: unknown, handle: unknown): FromOld | null {
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.t === 'commit') return { t: 'commit' };
  if (o.t === 'conn' && typeof o.viaUnix === 'boolean' && handle !== undefined && (handle as net.Socket | null) !== null) return { t: 'conn', viaUnix: o.viaUnix };
  return null;
}
