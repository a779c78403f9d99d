// The first frame of a framed connection: the client's HELLO, judged (protocol version, shared
// secret). Pure but for the log line of a failed authentication.
import type { Logger } from '../../log';
import { PROTOCOL_VERSION, type Frame } from '../../protocol/frame';
import { FrameType } from '../../protocol/frame';
import { secretMatches } from '../conn/secret';

// The client's capabilities when its first frame is an acceptable HELLO, else the refusal.
// `secret`: the daemon's shared secret, null when none is needed (none set, or the web cookie).
export function judgeHello(f: Frame, secret: string | null, log: Logger): Set<string> | { code: string; message: string } {
  if (f.type !== FrameType.HELLO) return { code: 'PR_ERR_PROTOCOL', message: 'the first frame must be HELLO' };
  if (f.body.proto !== PROTOCOL_VERSION) {
    return { code: 'PR_ERR_VERSION', message: `client speaks protocol ${f.body.proto}, this daemon speaks ${PROTOCOL_VERSION}; use matching pty-relay versions` };
  }
  if (secret !== null) {
    const auth: unknown = f.body.auth;
    if (typeof auth !== 'string' || !secretMatches(auth, secret)) {
      log.warn({ evt: 'attach.auth_failed', presented: typeof auth === 'string' }, 'authentication failed');
      return { code: 'PR_ERR_AUTH', message: typeof auth === 'string' ? 'authentication failed' : 'authentication required: set PTY_RELAY_SECRET or --secret-file' };
    }
  }
  return new Set(f.body.caps.filter((c): c is string => typeof c === 'string'));
}
