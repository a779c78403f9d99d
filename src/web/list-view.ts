// The session list: name, command, state, clients, age and idle time, refreshed while visible;
// create a shell session; end one after a confirmation.
import type { JobActivity, Reply, SessionSummary } from '../protocol/frame';
import { validateSessionName } from '../protocol/session-name';
import { describeSandbox } from '../protocol/sandbox-info';
import { ago, duration, el } from './dom';
import { request } from './link';
import { needsWatch } from './needs-you';
import { Poller } from './poller';
import { lastSeenJob } from './seen';
import { askDialog, confirmDialog, toast } from './ui';

// A list that is at most this old is good enough to click on.
const LIST_POLL_MS = 2_000;

export interface ListActions {
  open(session: string, watch: boolean, create: boolean): void;
}

// What a shell session's command is doing: running for how long, waiting for input, how it ended.
function activityLabel(a: JobActivity, now: number): { text: string; cls: string } {
  const took = a.durationMs === null ? '' : ` ${duration(a.durationMs)}`;
  if (a.needsYou === 'input') return { text: `needs input${took}`, cls: 'waiting needs-you' };
  if (a.state === 'running' || a.state === 'queued') return { text: `${a.state}${took}`, cls: 'running' };
  const ended = `${ago(now - Date.parse(a.startedAt) - (a.durationMs ?? 0))} ago`;
  const how = a.status === null ? a.state : `exit ${a.status}`;
  return { text: `${how} · ${ended}`, cls: a.needsYou === 'failed' ? 'failed needs-you' : 'idle' };
}

// What a session is doing, in words (the daemon's states, and those the jobs work adds).
function stateLabel(state: string): { text: string; cls: string } {
  if (state === 'idle') return { text: 'idle', cls: 'idle' };
  if (state === 'running' || state === 'human' || state === 'finishing') return { text: 'running', cls: 'running' };
  if (/wait|input/.test(state)) return { text: 'waiting for input', cls: 'waiting' };
  return { text: state, cls: 'other' };
}

export class ListView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly note: HTMLElement;
  private readonly poller: Poller<Reply>;
  private names: string[] = [];

  constructor(
    private readonly readOnly: boolean,
    private readonly actions: ListActions,
  ) {
    this.body = el('div', { class: 'sessions', role: 'list' });
    this.note = el('p', { class: 'note' });
    const newBtn = readOnly ? null : el('button', { type: 'button', class: 'btn primary', onclick: () => void this.create() }, '+ New session');
    this.element = el('main', { class: 'list-view' }, el('div', { class: 'list-head' }, el('h1', {}, 'Sessions'), newBtn), this.note, this.body);
    this.poller = new Poller(LIST_POLL_MS, () => request({ op: 'ls' }), (r) => {
      if (r.ok) {
        this.render(r.sessions ?? []);
        needsWatch.seen(r.sessions ?? []);
      } else this.note.textContent = `Cannot list sessions: ${r.message}`;
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  private render(sessions: SessionSummary[]): void {
    this.names = sessions.map((s) => s.name);
    this.note.textContent = sessions.length === 0 ? (this.readOnly ? 'No sessions to watch right now.' : 'No sessions yet: start one with "New session", or run any exec request.') : '';
    const now = Date.now();
    this.body.replaceChildren(
      ...sessions
        .slice()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => {
          const a = s.activity ?? null;
          const st = a === null ? stateLabel(s.state) : activityLabel(a, now);
          const unseen = a === null ? 0 : a.id - lastSeenJob(s.name);
          const actions = el('div', { class: 'actions' });
          if (!this.readOnly) actions.append(el('button', { type: 'button', class: 'btn primary', onclick: () => this.actions.open(s.name, false, false) }, 'Open'));
          actions.append(el('button', { type: 'button', class: 'btn', onclick: () => this.actions.open(s.name, true, false) }, 'Watch'));
          if (!this.readOnly) actions.append(el('button', { type: 'button', class: 'btn danger ghost', 'aria-label': `End session ${s.name}`, onclick: () => void this.end(s.name) }, 'End'));
          return el(
            'div',
            { class: `session${st.cls.includes('needs-you') ? ' needs-you' : ''}`, role: 'listitem', 'data-session': s.name },
            el(
              'div',
              { class: 'title' },
              el('a', { href: `?s=${encodeURIComponent(s.name)}`, class: 'name', onclick: (ev) => (ev.preventDefault(), this.actions.open(s.name, this.readOnly, false)) }, s.name),
              el('span', { class: `state ${st.cls}` }, st.text),
              unseen > 0 ? el('span', { class: 'unseen', title: 'Commands since you last opened this session' }, `${unseen} new`) : null,
            ),
            el('code', { class: 'command', title: a === null ? s.command : `${a.command}\n(${s.command})` }, a === null ? s.command : a.command),
            a?.prompt !== undefined ? el('div', { class: 'prompt' }, `⌨ ${a.prompt}${a.echoOff === true ? ' (echo off)' : ''}`) : null,
            el(
              'dl',
              { class: 'facts' },
              el('dt', {}, 'clients'),
              el('dd', { class: `clients${s.clients > 0 ? ' some' : ''}` }, `${s.clients} ${s.clients === 1 ? 'client' : 'clients'}`),
              el('dt', {}, 'age'),
              el('dd', {}, ago(now - Date.parse(s.createdAt))),
              el('dt', {}, 'idle'),
              el('dd', {}, ago(s.idleMs)),
              ...(s.sandbox === undefined ? [] : [el('dt', {}, 'sandbox'), el('dd', { class: 'sandbox' }, describeSandbox(s.sandbox))]),
            ),
            actions,
          );
        }),
    );
  }

  private async create(): Promise<void> {
    let n = 1;
    while (this.names.includes(`web-${n}`)) n++;
    const name = await askDialog('New shell session', 'Name', `web-${n}`, 'Start', (v) => (this.names.includes(v) ? `a session named "${v}" exists already` : validateSessionName(v)));
    if (name !== null) this.actions.open(name, false, true);
  }

  private async end(name: string): Promise<void> {
    const yes = await confirmDialog(`End session "${name}"?`, 'Its program gets a hang-up signal (SIGHUP, then SIGKILL after 3 s). Anything running in it stops, and its scrollback is gone.', 'End session');
    if (!yes) return;
    const r = await request({ op: 'kill', session: name });
    toast(r.ok ? `Session "${name}" ended.` : `Could not end "${name}": ${r.message}`, r.ok ? 'info' : 'warn');
    void this.poller.refresh();
  }
}
