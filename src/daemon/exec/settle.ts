// How a reply about a live job ends on the screen: once the reply's following is over, the
// session's screen mirror has been fed every byte the program wrote so far and answers in order
// (mirror/), so the screen read here is the one the program settled on, never an older one.
// From it: whether a full-screen program holds the terminal (the reply then shows the rows
// around the cursor, screen-window.ts, instead of redraw fragments), and the prompt of a job
// waiting for input, which is the cursor's line now (the one noted when the wait began may be
// many keystrokes old).
import type { Job } from '../jobs/job';
import { promptOf, type ScreenText } from '../mirror/mirror';
import type { Session } from '../session/session';
import { redrawsScreen } from './screen-window';

// Raw output scanned for a full-screen redraw at most (the end of the reply's span): one redraw
// of a big screen is ~40 kB.
const REDRAW_SCAN_BYTES = 256 * 1024;

// The screen to show when a full-screen program holds the terminal, else null. `ringFrom` is the
// session output offset where the reply began; a `#!send` reply (`sent`) also counts a program
// that redrew the whole screen in that span (top, without the alternate screen).
export async function settleScreen(session: Session, job: Job, ringFrom: number, sent: boolean): Promise<ScreenText | null> {
  const ringTo = session.audience.ring.head;
  const s = await session.audience.screenText();
  if (!job.live) return null;
  const fullScreen = s.altScreen || (sent && redrewSince(session, Math.max(ringFrom, ringTo - REDRAW_SCAN_BYTES), ringTo));
  const w = job.waiting;
  if (job.state === 'input' && w !== null) job.setWaiting({ ...w, prompt: promptOf(s, job.printedText()), fullScreen, echoOff: w.echoOff && !fullScreen });
  return fullScreen && !job.spec.raw ? s : null;
}

// Did the session's output between the two offsets redraw the whole screen?
function redrewSince(session: Session, from: number, to: number): boolean {
  let carry = Buffer.alloc(0); // the end of the previous read: a sequence split between reads is seen whole
  for (let pos = from; pos < to; ) {
    const r = session.audience.read(pos, Math.min(64 * 1024, to - pos));
    if (r.kind === 'gap') {
      pos = r.to;
      carry = Buffer.alloc(0);
      continue;
    }
    if (r.kind !== 'data' || r.data.length === 0) return false;
    const piece = Buffer.concat([carry, r.data]);
    if (redrawsScreen(piece)) return true;
    carry = piece.subarray(Math.max(0, piece.length - 8));
    pos += r.data.length;
  }
  return false;
}
