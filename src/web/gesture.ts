// Whether the person has acted in this page (a click, a tap or a key) since it loaded. A page that
// another site opened has not: any page on another localhost port can navigate the browser to
// `/?s=NAME&new=1`, and the cookie goes along. So a link that starts a session waits for a click,
// and a session is attached without changing its size until the first act (main.ts, term-view.ts).
let acted = false;
const waiting = new Set<() => void>();

function mark(ev: Event): void {
  if (!ev.isTrusted || acted) return; // script-made events are not the person
  acted = true;
  for (const fn of [...waiting]) fn();
  waiting.clear();
}
for (const type of ['pointerdown', 'keydown']) window.addEventListener(type, mark, { capture: true });

// True once the person clicked, tapped or typed in this page.
export function hasActed(): boolean {
  return acted;
}

// Calls `fn` at the person's first act (at once if it happened); returns a function that cancels.
export function onFirstAct(fn: () => void): () => void {
  if (acted) {
    fn();
    return () => undefined;
  }
  waiting.add(fn);
  return () => waiting.delete(fn);
}
