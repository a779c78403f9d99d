// One session in the page: xterm, the connection status, and the tools around them (fit to this
// screen, a watch link, recent commands, the touch key bar). The old screen stays up while the
// connection is re-established; a fresh screen only comes when the daemon sends one.
import { validateSessionName } from '../protocol/session-name';
import { AttachClient, type Status } from './attach-client';
import { el } from './dom';
import { hasActed, onFirstAct } from './gesture';
import { JobsPanel } from './jobs-panel';
import { lastSeenJob } from './seen';
import { keyBar } from './keybar';
import { request } from './link';
import { DESKTOP_FONT_PX, TermView, TOUCH_FONT_PX } from './terminal';
import { confirmDialog, linkDialog, toast } from './ui';

export interface TermScreenOptions {
  session: string;
  readOnly: boolean; // watch: no typing, no resizing
  create: boolean; // start the session if it does not exist
  touch: boolean;
  mayEnd: boolean; // the browser has full access
  back(): void;
  reopen(): void; // attach again (a new shell after the old one ended)
}

// Window size changes settle for this long before the session is resized (drag-resizing).
const RESIZE_SETTLE_MS = 80;

export class TermScreen {
  readonly element: HTMLElement;
  private readonly client: AttachClient;
  private readonly view: TermView;
  private readonly statusEl = el('span', { class: 'status connecting', role: 'status' }, 'connecting…');
  private readonly banner = el('div', { class: 'banner', hidden: true });
  private readonly fitBtn: HTMLButtonElement;
  private readonly host = el('div', { class: 'term-host' });
  private readonly body: HTMLElement;
  private jobs: JobsPanel | null = null;
  private driver: boolean; // this page's size is the session's
  private alone = false; // the only client of the session, at the last attach
  private readonly stopWaitingAct: () => void;
  private status: Status = { kind: 'connecting', attempt: 0 };
  private ticker: number | null = null;
  private settle: number | null = null;
  private readonly observer: ResizeObserver;

  constructor(private readonly o: TermScreenOptions) {
    // A desktop page sizes the session, from the person's first act in it: a page another site
    // opened must not resize a session someone else is using (gesture.ts).
    this.driver = !o.readOnly && !o.touch && hasActed();
    const bar = o.touch && !o.readOnly ? keyBar((d) => this.client.input(d), () => this.view.term.modes.applicationCursorKeysMode) : null;
    this.view = new TermView(this.host, { readOnly: o.readOnly, fontPx: o.touch ? TOUCH_FONT_PX : DESKTOP_FONT_PX, onInput: (d) => this.client.input(bar === null ? d : bar.apply(d)) });
    this.fitBtn = el('button', { type: 'button', class: 'btn', hidden: true, title: "Resize the session to this screen (other clients see it at this size)", onclick: () => this.fitToScreen() }, 'Fit to this screen');
    const tools = el('div', { class: 'tools' }, this.fitBtn);
    if (!o.readOnly) tools.append(el('button', { type: 'button', class: 'btn', title: 'A read-only link to this session', onclick: () => void this.share() }, 'Share'));
    const jobsBtn = el('button', { type: 'button', class: 'btn', hidden: true, 'aria-expanded': 'false', onclick: () => this.toggleJobs(jobsBtn) }, 'Commands');
    tools.append(jobsBtn);
    if (o.mayEnd && !o.readOnly) tools.append(el('button', { type: 'button', class: 'btn danger ghost', onclick: () => void this.end() }, 'End'));
    const header = el(
      'header',
      { class: 'bar' },
      el('button', { type: 'button', class: 'btn back', onclick: () => o.back(), 'aria-label': 'Back to the sessions' }, '←'),
      el('span', { class: 'name' }, o.session),
      o.readOnly ? el('span', { class: 'tag ro' }, 'watching') : null,
      this.statusEl,
      tools,
    );
    this.body = el('div', { class: 'term-body' }, this.host);
    this.element = el('main', { class: `term-view${o.touch ? ' touch' : ''}` }, header, this.banner, this.body, bar?.element);
    this.client = new AttachClient(
      { session: o.session, readOnly: o.readOnly, create: o.create, keepSize: () => !this.driver, size: () => this.view.wanted() },
      {
        screen: (data, offset) => this.view.redraw(data, () => this.client.ack(offset)),
        output: (data, end) => this.view.write(data, () => this.client.ack(end)),
        gap: (bytes, behind) => this.notice(behind ? `${bytes.toLocaleString()} bytes skipped: the output came faster than this page could draw it, so it shows the current screen.` : `${bytes.toLocaleString()} bytes of output were lost while disconnected (they left the daemon's buffer).`),
        size: (cols, rows) => this.sized(cols, rows),
        status: (s) => this.setStatus(s),
        attached: ({ clients }) => this.attached(clients),
      },
    );
    this.observer = new ResizeObserver(() => this.hostResized());
    this.stopWaitingAct = this.driver || o.readOnly ? () => undefined : onFirstAct(() => this.firstAct());
    void this.findShell(jobsBtn);
    exposeForTests(this.view, () => this.status);
  }

  start(): void {
    this.observer.observe(this.host);
    this.client.start();
    document.title = `${this.o.session} · pty-relay`;
  }

  dispose(): void {
    this.stopWaitingAct();
    this.observer.disconnect();
    this.client.stop();
    this.jobs?.stop();
    if (this.ticker !== null) window.clearInterval(this.ticker);
    this.view.dispose();
  }

  private attached(clients: number): void {
    // Alone on the session, a phone may size it (once the person acted); shared, it only offers to.
    this.alone = clients <= 1;
    if (this.o.touch && !this.o.readOnly && this.alone && !this.driver && hasActed()) this.fitToScreen();
    if (!this.o.touch) this.view.focus();
  }

  // The person's first click, tap or key in this page: a desktop page now sizes the session, and
  // so does a phone alone on it.
  private firstAct(): void {
    if (!this.o.touch || this.alone) this.fitToScreen();
  }

  private sized(cols: number, rows: number): void {
    this.view.setSize(cols, rows);
    const w = this.view.wanted();
    this.fitBtn.hidden = this.o.readOnly || !this.o.touch || (w.cols === cols && w.rows === rows);
  }

  private fitToScreen(): void {
    this.driver = true;
    const w = this.view.wanted();
    this.view.setSize(w.cols, w.rows);
    this.client.resize(w.cols, w.rows);
    this.fitBtn.hidden = true;
  }

  private hostResized(): void {
    if (this.settle !== null) window.clearTimeout(this.settle);
    this.settle = window.setTimeout(() => {
      this.settle = null;
      if (!this.driver) return this.sized(this.view.size.cols, this.view.size.rows);
      const w = this.view.wanted();
      const now = this.view.size;
      if (w.cols !== now.cols || w.rows !== now.rows) {
        this.view.setSize(w.cols, w.rows);
        this.client.resize(w.cols, w.rows);
      } else this.view.refit();
    }, RESIZE_SETTLE_MS);
  }

  private setStatus(s: Status): void {
    this.status = s;
    if (this.ticker !== null) window.clearInterval(this.ticker);
    this.ticker = null;
    this.host.classList.toggle('stale', s.kind !== 'live');
    const show = (cls: string, text: string, retry = false): void => {
      this.statusEl.className = `status ${cls}`;
      this.statusEl.replaceChildren(text, retry ? el('button', { type: 'button', class: 'link', onclick: () => this.client.retryNow() }, 'retry now') : '');
    };
    if (s.kind === 'live') {
      show('live', 'live');
      if (!this.banner.classList.contains('keep')) this.banner.hidden = true;
    } else if (s.kind === 'connecting') show('connecting', s.attempt === 0 ? 'connecting…' : `reconnecting… (attempt ${s.attempt})`);
    else if (s.kind === 'waiting') {
      const tick = (): void => {
        const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
        const waiting = s.pendingInput > 0 ? `; ${s.pendingInput} bytes of input will be sent` : '';
        show('waiting', `${s.reason}; retrying in ${secs} s (attempt ${s.attempt})${waiting} `, true);
      };
      tick();
      this.ticker = window.setInterval(tick, 1000);
    } else {
      show('ended', 'ended');
      const again = s.exit && this.o.mayEnd && !this.o.readOnly ? el('button', { type: 'button', class: 'btn primary', onclick: () => this.o.reopen() }, 'Start it again') : null;
      this.banner.replaceChildren(el('span', {}, s.message), el('span', { class: 'actions' }, again, el('button', { type: 'button', class: 'btn', onclick: () => this.o.back() }, 'Back to sessions')));
      this.banner.className = 'banner ended keep';
      this.banner.hidden = false;
    }
  }

  private notice(text: string): void {
    toast(text, 'warn', 8000);
  }

  private async findShell(btn: HTMLButtonElement): Promise<void> {
    const r = await request({ op: 'ls' });
    const s = r.ok ? r.sessions?.find((x) => x.name === this.o.session) : undefined;
    if (s?.shell === false) return;
    btn.hidden = false;
    // What happened since the person last looked: the panel opens with the new commands marked.
    const unseen = (s?.activity?.id ?? 0) - lastSeenJob(this.o.session);
    if (unseen > 0) btn.textContent = `Commands (${unseen} new)`;
    if (unseen > 0 || window.matchMedia('(min-width: 1100px)').matches) this.toggleJobs(btn);
  }

  private toggleJobs(btn: HTMLButtonElement): void {
    if (this.jobs === null) {
      this.jobs = new JobsPanel(this.o.session);
      this.body.append(this.jobs.element);
      this.jobs.start();
      btn.setAttribute('aria-expanded', 'true');
    } else {
      this.jobs.stop();
      this.jobs.element.remove();
      this.jobs = null;
      btn.setAttribute('aria-expanded', 'false');
    }
  }

  private async share(): Promise<void> {
    const r = await fetch('/api/watch-link', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ session: this.o.session }) });
    const body = (await r.json()) as { link?: string; error?: string };
    if (!r.ok || body.link === undefined) return toast(`No link: ${body.error ?? r.status}`, 'warn');
    linkDialog(`Watch "${this.o.session}"`, 'Whoever opens this link sees this session live but cannot type or resize it. It works until the token is replaced (pty-relay web --new-token).', `${location.origin}${body.link}`);
  }

  private async end(): Promise<void> {
    if (validateSessionName(this.o.session) !== null) return;
    const yes = await confirmDialog(`End session "${this.o.session}"?`, 'Its program gets a hang-up signal (SIGHUP, then SIGKILL after 3 s). Anything running in it stops.', 'End session');
    if (!yes) return;
    const r = await request({ op: 'kill', session: this.o.session });
    if (!r.ok) toast(`Could not end it: ${r.message}`, 'warn');
  }
}

// Lets the end-to-end tests read what the terminal shows (the page's own state, nothing secret).
function exposeForTests(view: TermView, status: () => Status): void {
  (window as unknown as { ptyRelay: unknown }).ptyRelay = {
    status: () => status().kind,
    text: (): string => {
      const b = view.term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n');
    },
    buffer: () => view.term.buffer.active.type,
    mouse: () => view.term.modes.mouseTrackingMode,
    size: () => ({ cols: view.term.cols, rows: view.term.rows, font: view.fontPx }),
  };
}
