// Page-wide pieces: passing notices, a confirmation dialog and a one-field form dialog.
import { el } from './dom';

// Shows `text` for a few seconds at the bottom of the page (also read out by screen readers).
export function toast(text: string, kind: 'info' | 'warn' = 'info', ms = 5000): void {
  let box = document.querySelector<HTMLElement>('.toasts');
  if (box === null) {
    box = el('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = el('div', { class: `toast ${kind}` }, text);
  box.append(t);
  window.setTimeout(() => t.remove(), ms);
}

// A modal dialog: resolves true when the person confirms.
export function confirmDialog(title: string, text: string, ok: string): Promise<boolean> {
  return new Promise((resolve) => {
    const close = (v: boolean): void => {
      d.close();
      d.remove();
      resolve(v);
    };
    const d = el(
      'dialog',
      { class: 'dialog' },
      el('h2', {}, title),
      el('p', {}, text),
      el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn', onclick: () => close(false) }, 'Cancel'), el('button', { type: 'button', class: 'btn danger', onclick: () => close(true) }, ok)),
    );
    d.addEventListener('cancel', () => close(false));
    document.body.append(d);
    d.showModal();
  });
}

// A modal form with one text field: resolves to the value, or null when cancelled. `check`
// returns an error message for a bad value.
export function askDialog(title: string, label: string, value: string, ok: string, check: (v: string) => string | null): Promise<string | null> {
  return new Promise((resolve) => {
    const input = el('input', { type: 'text', value, autocapitalize: 'off', autocomplete: 'off', spellcheck: 'false', 'aria-label': label });
    const err = el('p', { class: 'error' });
    const close = (v: string | null): void => {
      d.close();
      d.remove();
      resolve(v);
    };
    const form = el(
      'form',
      { method: 'dialog' },
      el('h2', {}, title),
      el('label', {}, label, input),
      err,
      el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn', onclick: () => close(null) }, 'Cancel'), el('button', { type: 'submit', class: 'btn primary' }, ok)),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const problem = check(input.value.trim());
      if (problem !== null) {
        err.textContent = problem;
        return;
      }
      close(input.value.trim());
    });
    const d = el('dialog', { class: 'dialog' }, form);
    d.addEventListener('cancel', () => close(null));
    document.body.append(d);
    d.showModal();
    input.select();
  });
}

// Shows a link to copy (a read-only watch link).
export function linkDialog(title: string, text: string, url: string): void {
  const input = el('input', { type: 'text', value: url, readonly: true, 'aria-label': 'Link' });
  const copy = el('button', { type: 'button', class: 'btn primary' }, 'Copy');
  copy.addEventListener('click', () => {
    input.select();
    void navigator.clipboard?.writeText(url).then(
      () => (copy.textContent = 'Copied'),
      () => (copy.textContent = 'Press Ctrl-C'),
    );
  });
  const d = el('dialog', { class: 'dialog' }, el('h2', {}, title), el('p', {}, text), input, el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn', onclick: () => (d.close(), d.remove()) }, 'Close'), copy));
  d.addEventListener('cancel', () => d.remove());
  document.body.append(d);
  d.showModal();
  input.select();
}
