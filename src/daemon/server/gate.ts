// Admission: who may open a connection at all. Runs before a single byte is read: first who the
// peer is (TCP: sock_diag or /proc; unix: SO_PEERCRED), then the connection-rate bucket.
import type * as net from 'node:net';
import { TokenBucket, type BucketConfig } from '../base/rate-limit';
import type { PeerUidLookup } from './peer-uid';

export interface AccessConfig {
  ownUid: number;
  allowRoot: boolean; // let uid 0 in too (when the daemon runs as someone else)
  // Bound beyond loopback: peers whose uid cannot be known are let in, and the secret guards them.
  allowUnknownPeers: boolean;
  connectionRate: BucketConfig;
}

export type Verdict = { ok: true; uid: number | null } | { ok: false; uid: number | null; reason: 'rate' | 'uid' | 'unknown-peer'; message: string };

export class Gate {
  private readonly bucket: TokenBucket;

  constructor(
    private readonly config: AccessConfig,
    private readonly uids: PeerUidLookup,
    private readonly now: () => number = Date.now,
  ) {
    this.bucket = new TokenBucket(config.connectionRate, now());
  }

  // Decides on a new connection. Who it is comes first: another user's connections are refused
  // without spending the connection-rate bucket, so that a flood from another user cannot lock the
  // owner out with "too many new connections"; only connections that would be served spend it.
  async admit(socket: net.Socket, viaUnix: boolean): Promise<Verdict> {
    const who = await this.identify(socket, viaUnix);
    if (!who.ok) return who;
    if (!this.bucket.tryTake(1, this.now())) {
      return { ok: false, uid: who.uid, reason: 'rate', message: `too many new connections (limit ${this.config.connectionRate.ratePerSec}/s); try again shortly` };
    }
    return who;
  }

  // The peer's uid, and whether that uid may come in. Unix peers: SO_PEERCRED (root can open any
  // socket file, whatever its mode); without the addon only the socket's 0600 mode guards them.
  private async identify(socket: net.Socket, viaUnix: boolean): Promise<Verdict> {
    const uid = viaUnix
      ? this.uids.unixPeer(socket)
      : await this.uids.lookup({ remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0 });
    if (uid === null) {
      if (viaUnix || this.config.allowUnknownPeers) return { ok: true, uid };
      return { ok: false, uid, reason: 'unknown-peer', message: 'cannot tell which local user this connection belongs to; refused' };
    }
    if (uid === this.config.ownUid || (uid === 0 && this.config.allowRoot)) return { ok: true, uid };
    return { ok: false, uid, reason: 'uid', message: `connections from uid ${uid} are not allowed; this daemon serves uid ${this.config.ownUid} only` };
  }
}
