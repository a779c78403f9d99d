// Taking over the sessions of a daemon that died without handing them over (kill -9, a crash, the
// OOM killer, `systemctl restart`): each session's holder (holder/) still has its program, and its
// journal (journal/) says what the dead daemon knew. A daemon that starts looks for them in the
// instance directories under its runtime base whose daemon is gone, and adopts every one it can:
// only directories and holders of its own user (lstat owner, SO_PEERCRED), never a live daemon's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../log';
import { SESSION_NAME_RE } from '../../protocol/session-name';
import { HolderLink } from '../holder/link';
import { HOLDER_SOCKET } from '../holder/spawn';
import { SessionJournal } from '../journal/session-journal';
import { readLife } from '../pty/proc';
import type { Registry } from '../session/registry';
import type { SessionHandover } from '../session/session';

// In each instance directory: "PID STARTTIME" of the daemon that uses it.
export const OWNER_FILE = 'daemon.pid';
// A holder answers at once; one that does not within this is not waited for.
const HOLDER_ANSWER_MS = 2_000;

// Marks `dir` as this daemon's (the next daemon leaves it alone while we live).
export function claimDir(dir: string): void {
  const tmp = path.join(dir, `${OWNER_FILE}.tmp`);
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, `${process.pid} ${readLife(process.pid)?.startTime ?? 0}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, path.join(dir, OWNER_FILE));
}

// True when the daemon that claimed `dir` still runs.
function ownerAlive(dir: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, OWNER_FILE), 'latin1');
  } catch {
    return false;
  }
  const [pid, start] = text.trim().split(' ').map(Number);
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  const life = readLife(pid);
  return life !== null && life.startTime === start && life.state !== 'Z';
}

// A directory of ours, not a link, nobody else's to write.
function ours(p: string): boolean {
  try {
    const st = fs.lstatSync(p);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

// Adopts what crashed daemons left under `base` (but not in `ownDir`); returns the instance
// directories taken over (they are ours now, claimed).
export async function recoverSessions(base: string, ownDir: string, registry: Registry, log: Logger): Promise<string[]> {
  const taken: string[] = [];
  for (const entry of list(base)) {
    const dir = path.join(base, entry);
    if (!entry.startsWith('d-') || dir === ownDir || !ours(dir) || ownerAlive(dir)) continue;
    let adopted = 0;
    for (const name of list(dir)) {
      const sdir = path.join(dir, name);
      if (!SESSION_NAME_RE.test(name) || !ours(sdir) || registry.find(name) !== undefined) continue;
      try {
        if (await recoverOne(name, sdir, registry, log)) adopted++;
      } catch (err) {
        // One damaged session never keeps the daemon from starting or the others from coming back.
        log.error({ evt: 'session.recover_failed', session: name, err }, 'cannot take a session over');
      }
    }
    if (adopted > 0) {
      claimDir(dir);
      taken.push(dir);
    } else if (list(dir).every((f) => f === OWNER_FILE || !ours(path.join(dir, f)) || !fs.existsSync(path.join(dir, f, HOLDER_SOCKET)))) {
      fs.rmSync(dir, { recursive: true, force: true }); // a dead daemon's leftovers: no session to keep
    }
  }
  return taken;
}

async function recoverOne(name: string, dir: string, registry: Registry, log: Logger): Promise<boolean> {
  const sock = path.join(dir, HOLDER_SOCKET);
  const loaded = SessionJournal.load(dir);
  // A journal's state is a session handover without byte strings (journal/session-journal.ts).
  const state = (loaded?.state ?? null) as SessionHandover | null;
  let link: HolderLink | null = null;
  if (fs.existsSync(sock)) {
    try {
      link = HolderLink.connect(sock, HOLDER_ANSWER_MS);
    } catch (err) {
      log.warn({ evt: 'session.holder_lost', session: name, err }, 'a session holder did not answer');
    }
  }
  if (state === null) {
    // Without its journal the session cannot be understood (its marks' nonce is in it): end it.
    if (link !== null) log.warn({ evt: 'session.holder_unknown', session: name, pid: link.hello.pid, journal: false }, 'a holder whose session has no journal: ending it');
    link?.hangup();
    link?.release();
    return false;
  }
  if (link !== null && state.shell === null) {
    // The daemon died while this holder was starting: its state has no shell yet, so nothing ties
    // the program to the session (no pid, no marks' nonce). It is ended, and the session starts a
    // new shell on its next request, as after a lost holder.
    log.warn({ evt: 'session.holder_unknown', session: name, pid: link.hello.pid, journal: true }, 'a holder that was still starting when the daemon died: ending it');
    link.hangup();
    link.release();
    link = null;
  }
  if (link === null) {
    state.shell = null;
    state.lifecycle = 'stopped';
    registry.adopt(state, null, { dir, lostShell: true }).thaw(Buffer.alloc(0));
    log.warn({ evt: 'session.recovered', session: name, shell: false }, 'session history recovered; its shell was lost with its holder');
    return true;
  }
  const pending = await link.takeBuffered();
  if (state.shell !== null) state.shell.pid = link.hello.pid;
  const session = registry.adopt(state, link.master, { dir, link, pending, lost: link.hello.lost, unsnapped: loaded?.unsnapped });
  session.thaw(Buffer.alloc(0));
  log.info({ evt: 'session.recovered', session: name, shell: true, pid: link.hello.pid, buffered: pending.length, lost: link.hello.lost }, 'session taken over from its holder');
  return true;
}
