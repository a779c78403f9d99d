// Which processes the kernel's OOM killer ended in a memory cgroup, from the kernel log
// (/dev/kmsg, readable by root, or by anyone when kernel.dmesg_restrict is 0). The kernel writes
// one line per kill: "oom-kill:…,oom_memcg=/PATH,task_memcg=…,task=NAME,pid=N,uid=N".
import * as fs from 'node:fs';

export interface OomVictim {
  seq: number; // the record's sequence number, to report each kill once
  name: string;
  pid: number;
}

// How many records one look reads at most: the kernel's log buffer holds a few thousand.
const MAX_RECORDS = 100_000;

// The OOM kills in memory cgroup `memcg` logged after record `afterSeq`; null when the log cannot
// be read (not root, dmesg_restrict).
export function oomVictims(memcg: string, afterSeq: number): OomVictim[] | null {
  let fd: number;
  try {
    fd = fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const out: OomVictim[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (let i = 0; i < MAX_RECORDS; i++) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // a record was overwritten while we read: go on
        break; // EAGAIN: the end of the log
      }
      if (n === 0) break;
      const rec = buf.toString('utf8', 0, n);
      // "PRIORITY,SEQ,USEC,FLAGS;MESSAGE"
      const semi = rec.indexOf(';');
      const seq = Number(rec.slice(0, semi).split(',')[1]);
      if (!(seq > afterSeq)) continue;
      const msg = rec.slice(semi + 1);
      if (!msg.startsWith('oom-kill:') || !msg.includes(`,oom_memcg=${memcg},`)) continue;
      const m = /,task=(.*?),pid=(\d+),/.exec(msg);
      if (m !== null) out.push({ seq, name: m[1] as string, pid: Number(m[2]) });
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}
