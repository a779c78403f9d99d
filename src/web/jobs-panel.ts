// Recent commands of a shell session: what its exec jobs ran, how they ended and how long they
// took, newest first, the ones since the person last looked marked new. Each opens its output
// (job-output.ts). Refreshed while the page is visible.
import type { JobSummary, Reply } from '../protocol/frame';
import { ago, duration, el } from './dom';
import { jobBadge, openJobOutput } from './job-output';
import { request } from './link';
import { Poller } from './poller';
import { lastSeenJob, markSeen } from './seen';

// Often enough to see a command finish, rare enough to cost nothing.
const JOBS_POLL_MS = 3_000;

export class JobsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly since: HTMLElement;
  private readonly poller: Poller<Reply>;
  private readonly seenBefore: number; // the newest job seen before this panel opened

  constructor(private readonly session: string) {
    this.seenBefore = lastSeenJob(session);
    this.list = el('ol', { class: 'jobs' });
    this.since = el('p', { class: 'since', hidden: true });
    this.element = el('aside', { class: 'jobs-panel', 'aria-label': 'Recent commands' }, el('h2', {}, 'Recent commands'), this.since, this.list);
    this.poller = new Poller(JOBS_POLL_MS, () => request({ op: 'jobs', session: this.session }), (r) => {
      if (r.ok) this.render(r.jobs ?? []);
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  private render(jobs: JobSummary[]): void {
    if (jobs.length === 0) {
      this.list.replaceChildren(el('li', { class: 'empty' }, 'No commands yet. Commands sent through exec (nc, pty-relay exec, an agent) show up here.'));
      return;
    }
    const now = Date.now();
    const fresh = jobs.filter((j) => j.id > this.seenBefore).length;
    this.since.textContent = `${fresh} new since you last looked`;
    this.since.hidden = fresh === 0;
    markSeen(this.session, Math.max(...jobs.map((j) => j.id)));
    this.list.replaceChildren(
      ...jobs
        .slice()
        .reverse()
        .map((j) => {
          const when = `${ago(now - Date.parse(j.startedAt))} ago`;
          const took = j.durationMs === null ? '' : ` · ${duration(j.durationMs)}`;
          const open = (): void => openJobOutput(this.session, j);
          return el(
            'li',
            { class: j.id > this.seenBefore ? 'new' : undefined, 'data-job': String(j.id) },
            el('button', { type: 'button', class: 'cmd', title: `${j.command}\n(show its output)`, onclick: open }, j.command || '(empty)'),
            el('div', { class: 'meta' }, jobBadge(j), el('span', {}, `${when}${took}`)),
          );
        }),
    );
  }
}
