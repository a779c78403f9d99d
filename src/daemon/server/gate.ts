// Admission: who may open a connection at all. Runs before a single byte is read.
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

  // Decides on a new connection. Unix-socket peers passed the socket's 0600 mode already.
  async admit(socket: net.Socket, viaUnix: boolean): Promise<Verdict> {
    if (!this.bucket.tryTake(1, this.now())) {
      return { ok: false, uid: null, reason: 'rate', message: `too many new connections (limit ${this.config.connectionRate.ratePerSec}/s); try again shortly` };
    }
    const uid = viaUnix
      ? null
      : await this.uids.lookup({ remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0 });
    if (viaUnix) return { ok: true, uid };
    if (uid === null) {
      if (this.config.allowUnknownPeers) return { ok: true, uid };
      return { ok: false, uid, reason: 'unknown-peer', message: 'cannot tell which local user this connection belongs to; refused' };
    }
    if (uid === this.config.ownUid || (uid === 0 && this.config.allowRoot)) return { ok: true, uid };
    return { ok: false, uid, reason: 'uid', message: `connections from uid ${uid} are not allowed; this daemon serves uid ${this.config.ownUid} only` };
  }
}
