// The touch key bar: the keys phone keyboards lack (Esc, Tab, Ctrl, Alt, arrows, Ctrl-C) and a
// compose box. Android keyboards duplicate text typed straight into xterm.js (xterm.js#3600); a
// plain input field does not, so on touch screens text goes through it, a line at a time.
import { el, utf8 } from './dom';

export interface KeyBar {
  element: HTMLElement;
  // Applies a latched Ctrl or Alt to what was typed (in the terminal or the compose box).
  apply(data: Uint8Array): Uint8Array;
}

// `send` delivers bytes to the session; `appCursor` says whether the program asked for
// application cursor keys (vim, less), which changes what the arrows send.
export function keyBar(send: (data: Uint8Array) => void, appCursor: () => boolean): KeyBar {
  let ctrl = false;
  let alt = false;
  const ctrlBtn = el('button', { type: 'button', class: 'key mod', 'aria-pressed': 'false', onclick: () => latch('ctrl') }, 'Ctrl');
  const altBtn = el('button', { type: 'button', class: 'key mod', 'aria-pressed': 'false', onclick: () => latch('alt') }, 'Alt');
  const latch = (which: 'ctrl' | 'alt'): void => {
    if (which === 'ctrl') ctrl = !ctrl;
    else alt = !alt;
    ctrlBtn.setAttribute('aria-pressed', String(ctrl));
    altBtn.setAttribute('aria-pressed', String(alt));
  };
  const apply = (data: Uint8Array): Uint8Array => {
    if (!ctrl && !alt) return data;
    let out = data;
    if (ctrl && data.length === 1) {
      const c = String.fromCharCode(data[0] as number).toUpperCase().charCodeAt(0);
      if (c >= 0x40 && c <= 0x5f) out = new Uint8Array([c ^ 0x40]);
      else if (c === 0x3f) out = new Uint8Array([0x7f]);
    }
    if (alt) out = new Uint8Array([0x1b, ...out]);
    ctrl = alt = false;
    ctrlBtn.setAttribute('aria-pressed', 'false');
    altBtn.setAttribute('aria-pressed', 'false');
    return out;
  };
  const key = (label: string, title: string, bytes: () => string): HTMLButtonElement =>
    el('button', { type: 'button', class: 'key', title, 'aria-label': title, onclick: () => send(apply(utf8.encode(bytes()))) }, label);
  const arrow = (label: string, title: string, final: string): HTMLButtonElement => key(label, title, () => `\x1b${appCursor() ? 'O' : '['}${final}`);

  const input = el('input', { type: 'text', class: 'compose-input', placeholder: 'Type here, Enter sends', autocapitalize: 'off', autocomplete: 'off', autocorrect: 'off', spellcheck: 'false', enterkeyhint: 'send', 'aria-label': 'Compose input' });
  const compose = el('form', { class: 'compose' }, input, el('button', { type: 'submit', class: 'key send', title: 'Send (with Enter)', 'aria-label': 'Send' }, '⏎'));
  compose.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = input.value;
    input.value = '';
    // A single character with Ctrl or Alt latched is a key chord, not a line.
    if (text.length === 1 && (ctrl || alt)) return send(apply(utf8.encode(text)));
    send(utf8.encode(`${text}\r`));
  });
  // Keep the on-screen keyboard up: the buttons must not take the focus from the input.
  const keys = el(
    'div',
    { class: 'keys', role: 'toolbar', 'aria-label': 'Terminal keys' },
    key('Esc', 'Escape', () => '\x1b'),
    key('Tab', 'Tab', () => '\t'),
    ctrlBtn,
    altBtn,
    arrow('←', 'Left', 'D'),
    arrow('↑', 'Up', 'A'),
    arrow('↓', 'Down', 'B'),
    arrow('→', 'Right', 'C'),
    el('button', { type: 'button', class: 'key', title: 'Ctrl-C (interrupt)', 'aria-label': 'Ctrl-C', onclick: () => send(new Uint8Array([3])) }, '^C'),
  );
  keys.addEventListener('pointerdown', (ev) => ev.preventDefault());
  return { element: el('div', { class: 'keybar' }, keys, compose), apply };
}
