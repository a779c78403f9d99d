// Streams a job's output to one exec reply, from a given offset, until the job ends, waits for
// input, the timeout expires, its output goes quiet (`#!send`), or the client leaves. With
// `hold`, it only follows (the reply writes what it shows once it ends).
//
// Backpressure: a reply that paces the job (the request that started it, or a `#!wait`) reports
// its position, and the session pauses the PTY while it lags, so a slow client still gets every
// byte. With `#!limit`, the head streams live and the tail is read from the job's store at the end.
import type { Job } from '../jobs/job';
import type { Reply } from './reply';

export interface FollowOptions {
  from: number;
  timeoutMs: number; // 0: none
  pace: boolean;
  headBytes: number | null; // with `#!limit`: stream at most this much, the tail comes at the end
  quietMs: number | null; // `#!send`: end once the output was quiet this long
  stopOnInput: boolean;
  hold: boolean; // follow without writing (a `#!send` reply decides at its end what it shows)
  // With quietMs: the terminal's own output also counts, until `until` (ms since the epoch): a
  // full-screen program's drawing, which the job's cleaned output leaves out. `watch` subscribes
  // and returns the unsubscribe function.
  terminalOutput?: { watch: (fn: () => void) => () => void; until: number };
}

// 'handover': the daemon hands the job to a new process (upgrade/), where it runs on.
export type FollowEnd = 'ended' | 'input' | 'timeout' | 'quiet' | 'gone' | 'handover';

export interface Followed {
  end: FollowEnd;
  reached: number; // one past the last byte written
}

// Bytes read from the store per write: large enough for throughput, small enough to interleave.
const READ_BYTES = 64 * 1024;

// Follows `job` into `reply`; see the file comment.
export function followJob(job: Job, reply: Reply, opts: FollowOptions): Promise<Followed> {
  return new Promise((resolve) => {
    const socket = reply.socket;
    const key = {};
    let pos = opts.from;
    let finished = false;
    let stopAt = opts.headBytes === null ? Infinity : opts.from + opts.headBytes;
    const unwatch = job.watch(() => {
      if (opts.quietMs !== null) armQuiet();
      pump();
    });
    const t = opts.terminalOutput;
    const unwatchTerminal = opts.quietMs !== null && t !== undefined ? t.watch(() => Date.now() < t.until && armQuiet()) : null;
    const timer = opts.timeoutMs > 0 ? setTimeout(() => finish('timeout'), opts.timeoutMs) : null;
    let quiet: NodeJS.Timeout | null = null;
    const onDrain = (): void => pump();
    const onClose = (): void => finish('gone');
    socket.on('drain', onDrain);
    socket.once('close', onClose);
    if (opts.quietMs !== null) armQuiet();
    pump();

    function armQuiet(): void {
      if (quiet !== null) clearTimeout(quiet);
      quiet = setTimeout(() => finish('quiet'), opts.quietMs as number);
    }

    function pump(): void {
      if (finished) return;
      if (socket.destroyed) return finish('gone');
      if (opts.hold) pos = Math.min(job.head, stopAt);
      while (!reply.congested && pos < Math.min(job.head, stopAt)) {
        const r = job.read(pos, Math.min(READ_BYTES, stopAt - pos));
        if (r.kind === 'none') break;
        if (r.kind === 'gap') {
          reply.notice(`${r.to - r.from} bytes of job ${job.id}'s output were dropped here (its store keeps the newest bytes)`);
          pos = r.to;
          continue;
        }
        let data = r.data;
        if (pos + data.length >= stopAt && job.head > stopAt) {
          // The head of a `#!limit` reply ends after a whole line when there is one in this piece.
          const nl = data.lastIndexOf(0x0a);
          if (nl !== -1) data = data.subarray(0, nl + 1);
          stopAt = pos + data.length;
        }
        reply.write(data);
        pos += data.length;
        if (opts.pace) job.pace(key, pos);
      }
      if (job.released) return finish('handover');
      if (reply.congested || pos < Math.min(job.head, stopAt)) return;
      if (!job.live) finish('ended');
      else if (opts.stopOnInput && job.state === 'input') finish('input');
    }

    function finish(end: FollowEnd): void {
      if (finished) return;
      finished = true;
      unwatch();
      unwatchTerminal?.();
      if (timer !== null) clearTimeout(timer);
      if (quiet !== null) clearTimeout(quiet);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      if (opts.pace) job.pace(key, null);
      resolve({ end, reached: pos });
    }
  });
}

// The tail of a `#!limit` reply: what follows the streamed head, when it all fits, or the last
// `tailBytes` (starting at a line) after one line saying what was left out and how to fetch it.
// `head`: where the output to show ends (its end so far by default).
export function limitTail(job: Job, headEnd: number, tailBytes: number, head = job.head): { omitted: [number, number] | null; from: number } {
  if (head - headEnd <= tailBytes) return { omitted: null, from: headEnd };
  let from = head - tailBytes;
  const r = job.read(from, Math.min(tailBytes, 4096));
  if (r.kind === 'data') {
    const nl = r.data.indexOf(0x0a);
    if (nl !== -1 && nl < r.data.length - 1) from += nl + 1;
  }
  return { omitted: [headEnd, from], from };
}
