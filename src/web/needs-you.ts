// Which sessions need the person: a command waits for input, or one failed. Page-wide: the tab
// title starts with how many ("(2) needs you · …"), and while the tab is hidden each new need
// raises a browser notification. Permission is asked only from a click (the bell button).
//
// The list view hands over every list it fetched (seen); otherwise this polls `ls` itself, also
// while the tab is hidden (browsers slow such timers to about once a second, or a minute after
// a while: a phone suspends the tab entirely, which is why the server-side hook exists).
import type { SessionSummary } from '../protocol/frame';
import { el } from './dom';
import { request } from './link';

// Often enough to hear of a prompt within seconds, rare enough to cost nothing.
const POLL_MS = 2_500;
const TITLE_PREFIX = /^\(\d+\) needs you · /;

export interface Need {
  session: string;
  kind: 'input' | 'failed';
  key: string; // the job and the need: told once
  title: string;
  body: string;
}

// The needs in a session list.
export function needsOf(sessions: SessionSummary[]): Need[] {
  const needs: Need[] = [];
  for (const s of sessions) {
    const a = s.activity;
    if (a === undefined || a === null || a.needsYou === null) continue;
    const input = a.needsYou === 'input';
    needs.push({
      session: s.name,
      kind: a.needsYou,
      key: `${s.name}#${a.id}:${a.needsYou}`,
      title: input ? `${s.name}: waiting for input` : `${s.name}: ${a.status === null ? a.state : `exit ${a.status}`}`,
      body: input ? `${a.prompt || a.command}${a.echoOff === true ? ' (echo off)' : ''}` : a.command,
    });
  }
  return needs;
}

class NeedsWatch {
  private told = new Set<string>();
  private first = true;
  private timer: number | null = null;
  private lastSeen = 0;
  private listeners = new Set<(needs: Need[]) => void>();
  now: Need[] = [];

  start(): void {
    document.addEventListener('visibilitychange', () => this.schedule(0));
    this.schedule(0);
  }

  // A list someone else fetched (the list view).
  seen(sessions: SessionSummary[]): void {
    this.lastSeen = Date.now();
    this.update(needsOf(sessions));
  }

  onChange(fn: (needs: Need[]) => void): () => void {
    this.listeners.add(fn);
    fn(this.now);
    return () => this.listeners.delete(fn);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    if (Date.now() - this.lastSeen >= POLL_MS - 100) {
      const r = await request({ op: 'ls' });
      if (r.ok) this.seen(r.sessions ?? []);
    }
    this.schedule(POLL_MS);
  }

  private update(needs: Need[]): void {
    this.now = needs;
    const base = document.title.replace(TITLE_PREFIX, '');
    document.title = needs.length > 0 ? `(${needs.length}) needs you · ${base}` : base;
    const fresh = needs.filter((n) => !this.told.has(n.key));
    this.told = new Set(needs.map((n) => n.key));
    if (!this.first && document.visibilityState === 'hidden') for (const n of fresh) notify(n);
    this.first = false;
    for (const fn of [...this.listeners]) fn(needs);
  }
}

function notify(n: Need): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const note = new Notification(n.title, { body: n.body, tag: `pty-relay-${n.session}` });
  note.onclick = () => {
    window.focus();
    location.href = `?s=${encodeURIComponent(n.session)}`;
  };
}

export const needsWatch = new NeedsWatch();

// The header's bell: asks for notification permission on a click; hidden once it is decided.
export function bellButton(): HTMLElement | null {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return null;
  const b = el(
    'button',
    { type: 'button', class: 'btn ghost small', title: 'Notify me when a session needs me while this tab is in the background' },
    'Notify me',
  );
  b.addEventListener('click', () => void Notification.requestPermission().then(() => b.remove()));
  return b;
}
