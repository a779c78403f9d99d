// Recent commands of a shell session: what its exec jobs ran, how they ended and how long they
// took, newest first. Refreshed while the page is visible.
import type { JobSummary, Reply } from '../protocol/frame';
import { ago, duration, el } from './dom';
import { request } from './link';
import { Poller } from './poller';

// Often enough to see a command finish, rare enough to cost nothing.
const JOBS_POLL_MS = 3_000;

export class JobsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly poller: Poller<Reply>;

  constructor(private readonly session: string) {
    this.list = el('ol', { class: 'jobs' });
    this.element = el('aside', { class: 'jobs-panel', 'aria-label': 'Recent commands' }, el('h2', {}, 'Recent commands'), this.list);
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
    this.list.replaceChildren(
      ...jobs
        .slice()
        .reverse()
        .map((j) => {
          const badge =
            j.state === 'running'
              ? el('span', { class: 'badge running' }, 'running')
              : j.status === 0
                ? el('span', { class: 'badge ok', title: 'exit status 0' }, '✓ 0')
                : el('span', { class: 'badge fail', title: j.status === null ? 'did not finish' : `exit status ${j.status}` }, j.status === null ? '✗' : `✗ ${j.status}`);
          const when = `${ago(now - Date.parse(j.startedAt))} ago`;
          const took = j.durationMs === null ? '' : ` · ${duration(j.durationMs)}`;
          return el('li', {}, el('code', { class: 'cmd', title: j.command }, j.command || '(empty)'), el('div', { class: 'meta' }, badge, el('span', {}, `${when}${took}`)));
        }),
    );
  }
}
