// One line of `pty-relay doctor`: what was checked, how it went, and the fix in one sentence.

export type Status = 'ok' | 'warning' | 'problem' | 'skip';

export interface Check {
  id: string; // stable name, e.g. "listen", "round-trip" (the JSON key machines match on)
  status: Status;
  message: string; // what was found
  fix?: string; // what to do about it (warnings and problems)
}

// A passed check.
export function ok(id: string, message: string): Check {
  return { id, status: 'ok', message };
}

// Something works but not as well as it should, or cannot be verified.
export function warning(id: string, message: string, fix: string): Check {
  return { id, status: 'warning', message, fix };
}

// Something is broken: doctor exits non-zero.
export function problem(id: string, message: string, fix: string): Check {
  return { id, status: 'problem', message, fix };
}

// A check that could not run because an earlier link failed.
export function skip(id: string, message: string): Check {
  return { id, status: 'skip', message };
}
