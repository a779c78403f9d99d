// A session taken over from a daemon that is gone: after a crash, what its journal and its holder
// (holder/, journal/) say must be settled before the session goes on; after an upgrade, the
// program's holder is connected to once the earlier daemon let go of it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../log';
import { HolderLink } from '../holder/link';
import { HOLDER_SOCKET } from '../holder/spawn';
import type { JobRunner } from '../jobs/job-runner';
import { termios } from '../pty/termios';
import { MarkParser } from '../shell/marks';
import type { Shell } from '../shell/shell';
import type { Program } from './program';

// What a crashed daemon's holder and journal tell about a session taken over (Adoption, session.ts).
export interface CrashFacts {
  link?: HolderLink; // the session's holder
  lost?: number; // bytes of output the holder had to drop
  lostShell?: boolean; // the journal survived, the holder (and so the shell) did not
  unsnapped?: Buffer; // output the dead daemon saw after its last snapshot (its marks move the jobs)
}

// A holder answers at once; one that does not within this is not waited for.
const RELINK_MS = 2_000;

// What a daemon that took the session over after a crash must do: move the jobs as the marks
// the dead daemon saw after its last snapshot did (their output is in the journal already; F and
// G, the output-processing handshake, are long answered), drop queued requests (their clients
// are gone), and say what was lost.
export function settleAfterCrash(s: { name: string; log: Logger; runner: JobRunner; program: Program }, adopt: CrashFacts): void {
  const nonce = s.program.shell?.nonce ?? null;
  if (adopt.unsnapped !== undefined && nonce !== null) {
    for (const ev of new MarkParser(nonce).push(adopt.unsnapped)) if (ev.type === 'mark' && ev.kind !== 'F' && ev.kind !== 'G') s.program.replayMark(ev);
  }
  if (adopt.link !== undefined || adopt.lostShell === true) s.runner.failQueued('the daemon stopped before this request ran, and its client is gone');
  if (adopt.link !== undefined && s.runner.foreground() === null) termios()?.setOutputProcessing(adopt.link.master, true);
  if (adopt.lost !== undefined && adopt.lost > 0) {
    // Where the loss is: after what the dead daemon saw, before what the holder kept.
    const notice = `${adopt.lost} bytes of output were lost while no daemon ran (more than the session's holder keeps, --holder-buffer)`;
    const job = s.runner.foreground();
    if (job !== null) job.append(Buffer.from(`\npty-relay: ${notice}\n`));
    else s.runner.endNotice = notice;
    s.log.warn({ evt: 'session.output_lost', bytes: adopt.lost }, 'output lost while no daemon ran');
  }
  if (adopt.lostShell !== true) return;
  const message = 'the daemon stopped without handing this session over, and the shell was lost with its holder; the exit status is unknown';
  for (const j of s.runner.jobs.list()) if (j.live) j.end({ kind: 'shell-exit', status: null, message });
  s.runner.state = 'idle';
  s.runner.endNotice = `the shell of session "${s.name}" was lost while no daemon ran; this is a new shell`;
}

// Connects to the holder of an upgraded session's program (the earlier daemon let go of it); the
// output it read meanwhile comes before the terminal's. Without one, /proc watches the program.
// `again`: an upgrade rolled back after the new process may have taken the holder over (and
// died): connect anew, whatever our old link says (its close may not have reached us yet).
export async function relinkHolder(shell: Shell | null, dir: string, log: Logger, again = false): Promise<void> {
  const sock = path.join(dir, HOLDER_SOCKET);
  if (shell === null || (shell.link !== null && !again) || !fs.existsSync(sock)) return;
  shell.link?.release();
  shell.link = null;
  try {
    const link = HolderLink.connect(sock, RELINK_MS);
    fs.closeSync(link.master); // the handover brought the master already
    shell.relink(link, await link.takeBuffered());
  } catch (err) {
    log.warn({ evt: 'session.holder_lost', err }, 'cannot reach the session holder; the program is watched in /proc');
  }
}
