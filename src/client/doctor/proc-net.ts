// The daemon tells which local user a TCP connection belongs to from the kernel's socket tables;
// when it cannot read them it refuses every TCP client (only the unix socket still works).
// Linux only (procfs), like the daemon that reads them.
import * as fs from 'node:fs';
import { ok, problem, type Check } from './check';

// /proc/net/tcp (and tcp6, unless IPv6 is off) can be read.
export function procNetCheck(read: (file: string) => void = readHead): Check {
  const failed: string[] = [];
  let tcp6 = true;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      read(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (file.endsWith('6') && code === 'ENOENT') tcp6 = false; // IPv6 is off: nothing to look up there
      else failed.push(`${file} (${code ?? (err as Error).message})`);
    }
  }
  if (failed.length > 0) {
    return problem('proc-net-tcp', `cannot read ${failed.join(' and ')}: the daemon refuses TCP connections it cannot attribute to you`, 'reach the daemon through its unix socket (`pty-relay tunnel SERVER --remote /run/user/UID/pty-relay/relay.sock`), or mount /proc without hidepid=/subset=');
  }
  return ok('proc-net-tcp', `/proc/net/tcp${tcp6 ? ' and tcp6 are' : ' is'} readable: the daemon can tell which user each TCP connection belongs to`);
}

// Reads the first block of a /proc file (enough to know it can be read; the tables can be large).
function readHead(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, Buffer.alloc(4096), 0, 4096, null);
  } finally {
    fs.closeSync(fd);
  }
}
