// One job's output in a dialog: its command, status, start and duration, and the last page of
// what it printed (as exec replied it), with earlier pages on request and the `#!output` line
// that fetches any range.
import { OUTPUT_PAGE_BYTES, type JobOutput, type JobSummary } from '../protocol/frame';
import { duration, el } from './dom';
import { request } from './link';

export function openJobOutput(session: string, j: JobSummary): void {
  const pre = el('pre', { class: 'output' });
  const note = el('p', { class: 'note' });
  const earlier = el('button', { type: 'button', class: 'btn small', hidden: true }, 'Show earlier output');
  const d = el(
    'dialog',
    { class: 'dialog output-dialog', 'aria-label': `Output of job ${j.id}` },
    el('h2', {}, el('code', {}, j.command || '(empty)')),
    el('div', { class: 'meta' }, jobBadge(j), el('span', {}, `started ${new Date(j.startedAt).toLocaleString()}`), j.durationMs === null ? null : el('span', {}, `took ${duration(j.durationMs)}`)),
    earlier,
    pre,
    note,
    el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn', onclick: () => close() }, 'Close')),
  );
  const close = (): void => {
    d.close();
    d.remove();
  };
  d.addEventListener('cancel', close);
  let first: number | null = null;
  const load = async (from?: number): Promise<void> => {
    const r = await request({ op: 'output', session, job: j.id, ...(from === undefined ? {} : { from }) });
    if (!r.ok || r.output === undefined) {
      note.textContent = r.ok ? 'No output.' : `Cannot read the output: ${r.message}`;
      return;
    }
    const o: JobOutput = r.output;
    const atEnd = first === null;
    pre.textContent = o.text + (atEnd ? '' : (pre.textContent ?? ''));
    if (atEnd) pre.scrollTop = pre.scrollHeight; // the newest output first in view
    first = o.from;
    earlier.hidden = o.from <= o.kept;
    earlier.onclick = () => void load(Math.max(o.kept, o.from - OUTPUT_PAGE_BYTES));
    const gone = o.kept > 0 ? ` The first ${o.kept} bytes are no longer kept.` : '';
    note.textContent = `Bytes ${o.from}–${o.head} of ${o.head}.${gone} Any range: printf '#!session ${session}\\n#!output ${j.id} FROM TO\\n' | nc localhost PORT`;
    if (o.text === '' && o.head === 0) pre.textContent = '(no output)';
  };
  document.body.append(d);
  d.showModal();
  void load();
}

// A job's state as a small badge: running, waiting, ✓ 0, ✗ N.
export function jobBadge(j: JobSummary): HTMLElement {
  if (j.state === 'running' || j.state === 'queued') return el('span', { class: 'badge running' }, j.state);
  if (j.state === 'waiting for input') return el('span', { class: 'badge waiting' }, 'needs input');
  if (j.status === 0) return el('span', { class: 'badge ok', title: 'exit status 0' }, '✓ 0');
  return el('span', { class: 'badge fail', title: j.status === null ? j.state : `exit status ${j.status}` }, j.status === null ? `✗ ${j.state}` : `✗ ${j.status}`);
}
