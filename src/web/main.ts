// The web terminal's page: the session list at /, a session at /?s=NAME (&watch=1 to only watch).
// The daemon serves this script only to a signed-in browser; <body data-scope> says whether the
// browser may type ("rw") or only watch ("ro"), and data-session the one session a watch link is for.
import { validateSessionName } from '../protocol/session-name';
import { el, isTouch } from './dom';
import { hasActed } from './gesture';
import { ListView } from './list-view';
import { bellButton, needsWatch } from './needs-you';
import { pushButton, registerWorker } from './push';
import { TermScreen } from './term-view';
import { confirmDialog } from './ui';

const readOnlyScope = document.body.dataset.scope !== 'rw';
const onlySession = document.body.dataset.session || null;
const touch = isTouch();

let current: { element: HTMLElement; start(): void; dispose?(): void; stop?(): void } | null = null;
const outlet = el('div', { class: 'outlet' });

// Shows what the address says.
function route(): void {
  current?.dispose?.();
  current?.stop?.();
  const q = new URLSearchParams(location.search);
  const s = q.get('s') ?? onlySession;
  if (s !== null && validateSessionName(s) === null) {
    const watch = readOnlyScope || q.get('watch') === '1';
    const create = q.get('new') === '1' && !readOnlyScope;
    // A link that starts a session, opened before any click here (another site navigated to it):
    // ask first.
    if (create && !hasActed()) return askToStart(s);
    // Asked once: a reload must not start the session again after someone ended it.
    if (q.has('new')) history.replaceState(null, '', `?s=${encodeURIComponent(s)}${watch && !readOnlyScope ? '&watch=1' : ''}`);
    document.body.dataset.view = 'term';
    current = new TermScreen({
      session: s,
      readOnly: watch,
      create,
      touch,
      mayEnd: !readOnlyScope,
      back: () => go(onlySession === null ? '/' : location.pathname),
      reopen: () => go(`?s=${encodeURIComponent(s)}&new=1`, true),
    });
  } else {
    document.title = 'pty-relay';
    document.body.dataset.view = 'list';
    current = new ListView(readOnlyScope, { open: (name, w, c) => go(`?s=${encodeURIComponent(name)}${w ? '&watch=1' : ''}${c ? '&new=1' : ''}`) });
  }
  outlet.replaceChildren(current.element);
  current.start();
}

// Shows the list, and over it: start session `s`? Only a click (an act in this page) starts it.
function askToStart(s: string): void {
  history.replaceState(null, '', '/');
  route();
  void confirmDialog(`Start session "${s}"?`, 'A link asks to start this session. Start it only if you opened the link yourself.', 'Start session').then((yes) => {
    if (yes) go(`?s=${encodeURIComponent(s)}&new=1`, true);
  });
}

function go(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route();
}

async function signOut(): Promise<void> {
  await fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  location.replace('/');
}

const header = el(
  'header',
  { class: 'app-head' },
  el('a', { class: 'brand', href: '/', onclick: (ev) => (ev.preventDefault(), go('/')) }, 'pty-relay'),
  readOnlyScope ? el('span', { class: 'tag ro', title: 'This browser can watch, not type' }, onlySession === null ? 'read-only' : `read-only: ${onlySession}`) : null,
  bellButton(),
  pushButton(readOnlyScope),
  el('button', { type: 'button', class: 'btn ghost small', onclick: () => void signOut() }, 'Sign out'),
);
document.body.append(header, outlet);
document.body.classList.toggle('touch', touch);
window.addEventListener('popstate', route);
route();
needsWatch.start();
if (!readOnlyScope) registerWorker();
