// What the person has seen of each session: the newest job they looked at, kept in this browser
// (localStorage), so the list and the recent commands can say what happened since.
const KEY = 'pty-relay.seen.';

// The newest job of `session` the person has seen (0: none).
export function lastSeenJob(session: string): number {
  try {
    return Number(localStorage.getItem(KEY + session) ?? '0') || 0;
  } catch {
    return 0; // storage off (private mode): everything counts as new once
  }
}

// The person has now seen `session` up to job `id`.
export function markSeen(session: string, id: number): void {
  try {
    if (id > lastSeenJob(session)) localStorage.setItem(KEY + session, String(id));
  } catch {
    // storage off
  }
}
