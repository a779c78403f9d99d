// Random hex tokens for short-lived clients. `pty-relay exec` needs one per request (its trailer
// token), and loading node:crypto for it costs a fresh process 4-12 ms here (17 internal modules),
// more than the rest of the client's own work; the kernel's random device costs three syscalls.
import * as fs from 'node:fs';

// A token of `bytes` random bytes, as hex: from /dev/urandom, else (no such device) node:crypto.
export function randomHex(bytes: number): string {
  const buf = Buffer.alloc(bytes);
  let fd: number | null = null;
  try {
    fd = fs.openSync('/dev/urandom', 'r');
    if (fs.readSync(fd, buf, 0, bytes, null) === bytes) return buf.toString('hex');
  } catch {
    // no /dev/urandom (not Linux or a bare chroot): node:crypto below
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof import('node:crypto')).randomBytes(bytes).toString('hex');
}
