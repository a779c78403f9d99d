// Who may talk to the web terminal, decided from request headers alone. Pure functions.
//
// - Host must name a loopback address (localhost, 127.0.0.1 or [::1], any port): a page that got
//   its own name to resolve to 127.0.0.1 (DNS rebinding) sends its own name and is refused.
// - Origin must be exactly http://<Host> on WebSocket upgrades and state-changing requests: a
//   page on another localhost port shares our cookies (SameSite does not separate ports) but not
//   our origin, so it cannot drive a shell through the user's browser.
// - The cookie's name carries the port the browser sees, so two relays tunnelled to two ports of
//   one laptop do not overwrite each other's cookie.

const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?$/;

// True when the Host header names a loopback address.
export function hostAllowed(host: string | undefined): host is string {
  return host !== undefined && LOOPBACK_HOST.test(host.toLowerCase());
}

// True when the Origin header is exactly this page's own origin.
export function originAllowed(origin: string | undefined, host: string): boolean {
  return origin !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

// The session cookie's name for the port in the Host header.
export function cookieName(host: string): string {
  const port = LOOPBACK_HOST.exec(host.toLowerCase())?.[1] ?? '80';
  return `pty_relay_${port}`;
}

// Every value of cookie `name` in a Cookie header, in the order sent. A page on any other
// localhost port can set one more of the same name (cookies do not separate ports), with a longer
// Path so the browser sends it first: the caller tries each (cookie tossing).
export function readCookies(header: string | undefined, name: string): string[] {
  if (header === undefined) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

// The Set-Cookie header that signs a browser in (an empty value with Max-Age=0 signs it out).
export function setCookieHeader(name: string, value: string, maxAgeS: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;
}
