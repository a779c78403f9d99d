// Session names appear in file names, logs and directives, so they are kept plain.
export const SESSION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const DEFAULT_SESSION = 'default';

// Returns why `name` is not a valid session name, or null when it is.
export function validateSessionName(name: string): string | null {
  if (SESSION_NAME_RE.test(name)) return null;
  return `invalid session name "${name.slice(0, 80)}": use 1-64 characters [A-Za-z0-9_.-], starting with a letter or digit`;
}
