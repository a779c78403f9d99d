// The web terminal's secrets: one 256-bit token in a 0600 file in the runtime directory, and what
// is derived from it with HMAC-SHA256: one-time login codes, read-only ("watch") tokens and the
// session cookies. The token itself never goes in a URL (browsers keep URLs in their history, even
// after replaceState): `pty-relay web` prints a login code, good once and for LOGIN_CODE_TTL_S. The
// token survives daemon restarts (so do cookies: a page reconnects after an upgrade), and
// replacing the file (`pty-relay web --new-token`) revokes every link and cookie at once.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RelayError, isErrno } from '../../errors';
import { validateSessionName } from '../../protocol/session-name';
import { secretMatches } from '../conn/secret';

export const TOKEN_FILE = 'web-token';
// 256 bits: beyond guessing, so a login needs no rate limit of its own.
const TOKEN_BYTES = 32;
// A browser stays signed in this long; a new token ends it sooner.
export const COOKIE_MAX_AGE_S = 30 * 24 * 3600;
// A login code works this long: time to copy the link from a terminal into a browser.
export const LOGIN_CODE_TTL_S = 5 * 60;
// 128 bits: a code's nonce, which the daemon remembers once used until the code expires.
const NONCE_BYTES = 16;
const LOGIN_CODE = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

// What a signed-in page may do: everything, or watch (one session, or every one).
export interface Scope {
  readOnly: boolean;
  session: string | null;
}

export interface LoginRequest {
  code?: unknown; // a one-time login code (from `#c=` in the URL)
  token?: unknown; // the full token (a scripted client's POST; never from a URL)
  watch?: unknown; // a watch token (from `#w=`)
  session?: unknown; // the session a watch token is for (from `?s=`)
}

const b64url = (b: Buffer): string => b.toString('base64url');

export class WebTokens {
  private cached: { key: string; token: string } | null = null;
  // Nonces of login codes already used, with their expiry (seconds): each code signs in once.
  private readonly used = new Map<string, number>();

  constructor(readonly file: string) {}

  // The token, read from the file (made if missing) and re-read when the file was replaced.
  token(): string {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.file);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw new RelayError('PR_ERR_WEB_TOKEN', `cannot read ${this.file}`, { cause: err });
      writeToken(this.file);
      return this.token();
    }
    const key = `${st.ino}:${st.mtimeMs}:${st.size}`;
    if (this.cached?.key === key) return this.cached.token;
    checkPrivate(this.file, st);
    const token = fs.readFileSync(this.file, 'utf8').trim();
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new RelayError('PR_ERR_WEB_TOKEN', `${this.file} does not hold a token; remove it and a new one is made`);
    this.cached = { key, token };
    return token;
  }

  // The watch token for one session, or for every session when `session` is null.
  watchToken(session: string | null): string {
    return this.mac(`watch:${session ?? '*'}`);
  }

  // A login code: `EXPIRY.NONCE.MAC`, the MAC over both with the token; full access, once, until
  // `nowS + LOGIN_CODE_TTL_S`.
  loginCode(nowS = Math.floor(Date.now() / 1000)): string {
    const body = `${nowS + LOGIN_CODE_TTL_S}.${b64url(crypto.randomBytes(NONCE_BYTES))}`;
    return `${body}.${this.mac(`login:${body}`)}`;
  }

  // The scope a login grants, or null. Compared in constant time; a code is spent by its first use.
  login(req: LoginRequest, nowS = Math.floor(Date.now() / 1000)): Scope | null {
    if (typeof req.code === 'string') return this.spendCode(req.code, nowS) ? { readOnly: false, session: null } : null;
    if (typeof req.token === 'string') return secretMatches(req.token, this.token()) ? { readOnly: false, session: null } : null;
    if (typeof req.watch !== 'string') return null;
    if (typeof req.session === 'string' && validateSessionName(req.session) === null && secretMatches(req.watch, this.watchToken(req.session))) {
      return { readOnly: true, session: req.session };
    }
    return secretMatches(req.watch, this.watchToken(null)) ? { readOnly: true, session: null } : null;
  }

  // A cookie value carrying `scope` until `nowS + COOKIE_MAX_AGE_S`, signed with the token.
  cookie(scope: Scope, nowS = Math.floor(Date.now() / 1000)): string {
    const body = `v1:${scope.readOnly ? 'ro' : 'rw'}:${scope.session ?? ''}:${nowS + COOKIE_MAX_AGE_S}`;
    return `${body}:${this.mac(`cookie:${body}`)}`;
  }

  // The scope a cookie value carries, or null when it is forged, stale or from an old token.
  verifyCookie(value: string, nowS = Math.floor(Date.now() / 1000)): Scope | null {
    const parts = value.split(':');
    if (parts.length !== 5) return null;
    const [v, mode, session, exp, mac] = parts as [string, string, string, string, string];
    if (v !== 'v1' || (mode !== 'ro' && mode !== 'rw') || !/^\d{1,12}$/.test(exp)) return null;
    if (!secretMatches(mac, this.mac(`cookie:${v}:${mode}:${session}:${exp}`))) return null;
    if (Number(exp) <= nowS) return null;
    if (session !== '' && validateSessionName(session) !== null) return null;
    return { readOnly: mode === 'ro', session: session === '' ? null : session };
  }

  // True (once) for a code of ours that has not expired and was not used before.
  private spendCode(code: string, nowS: number): boolean {
    for (const [nonce, exp] of this.used) if (exp <= nowS) this.used.delete(nonce);
    const m = LOGIN_CODE.exec(code);
    if (m === null) return false;
    const [, exp, nonce, mac] = m as unknown as [string, string, string, string];
    if (!secretMatches(mac, this.mac(`login:${exp}.${nonce}`))) return false;
    // Expired, or from further ahead than any code we make (a clock that jumped back).
    if (Number(exp) <= nowS || Number(exp) > nowS + LOGIN_CODE_TTL_S + 60) return false;
    if (this.used.has(nonce)) return false;
    this.used.set(nonce, Number(exp));
    return true;
  }

  private mac(what: string): string {
    return b64url(crypto.createHmac('sha256', this.token()).update(what).digest());
  }
}

// Writes a fresh token atomically (a 0600 temporary file renamed over the old one).
export function writeToken(file: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(tmp, `${b64url(crypto.randomBytes(TOKEN_BYTES))}\n`, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new RelayError('PR_ERR_WEB_TOKEN', `cannot write the web token file ${file}`, { cause: err });
  }
}

// A token file must be a regular file of ours that nobody else can read.
function checkPrivate(file: string, st: fs.Stats): void {
  const uid = process.getuid?.();
  if (!st.isFile()) throw new RelayError('PR_ERR_WEB_TOKEN', `${file} is not a regular file (a symlink?); remove it and a new one is made`);
  if (uid !== undefined && st.uid !== uid) throw new RelayError('PR_ERR_WEB_TOKEN', `${file} belongs to uid ${st.uid}, not to us (uid ${uid})`);
  if ((st.mode & 0o077) !== 0) throw new RelayError('PR_ERR_WEB_TOKEN', `${file} is readable by others; remove it (a new token is made) and get new links with: pty-relay web`);
}
