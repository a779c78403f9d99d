// Small DOM and formatting helpers for the page. No framework: a handful of views, built by hand.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | ((ev: Event) => void) | undefined>;

// Makes an element: `el('button', { class: 'x', onclick: fn }, 'Label')`.
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') e.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// "4s", "12m", "3h 5m", "2d 4h": a compact age or idle time.
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

// "35 ms", "2.4 s", "3m 10s": a command's duration.
export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return ago(ms);
}

// The user's bytes as UTF-8.
export const utf8 = new TextEncoder();

// True on phones and tablets: no hover, a coarse pointer.
export function isTouch(): boolean {
  return window.matchMedia('(pointer: coarse)').matches;
}

// A random id for this page's input stream (the daemon de-duplicates resent keystrokes by it).
export function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
