// The mirror worker: the only module that imports @xterm. Headless terminals that follow the
// sessions' output on a thread of their own, so that parsing every byte of a flood does not
// share the daemon's one event loop (the PTY, the ring and the sockets keep the main thread).
// Bundled on its own (dist/mirror-worker.js) and, in the single binary, embedded as an SEA asset.
import { parentPort } from 'node:worker_threads';
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/headless';
import type { FromWorker, ScreenText, ToWorker } from './mirror-messages';

interface Screen {
  term: Terminal;
  serializer: SerializeAddon;
  scrollback: number;
}

const screens = new Map<number, Screen>();
const port = parentPort;
if (port === null) throw new Error('mirror-worker: not started as a worker thread');

function send(m: FromWorker): void {
  port?.postMessage(m);
}

// The visible rows as text, trailing blanks trimmed, and the cursor within them.
function screenText(term: Terminal): ScreenText {
  const buf = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) rows.push((buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '').replace(/ +$/, ''));
  return { rows, cursor: { row: buf.cursorY, col: buf.cursorX }, altScreen: buf.type === 'alternate' };
}

port.on('message', (m: ToWorker) => {
  if (m.op === 'open') {
    const term = new Terminal({ cols: m.cols, rows: m.rows, scrollback: m.scrollback, allowProposedApi: true });
    const serializer = new SerializeAddon();
    term.loadAddon(serializer);
    screens.set(m.id, { term, serializer, scrollback: m.scrollback });
    return;
  }
  const s = screens.get(m.id);
  if (s === undefined) return;
  switch (m.op) {
    case 'write': {
      const bytes = m.data.length;
      s.term.write(m.data, () => send({ op: 'parsed', id: m.id, bytes }));
      return;
    }
    case 'resize':
      s.term.resize(m.cols, m.rows);
      return;
    // xterm parses in slices; an empty write's callback runs once everything before it is parsed.
    case 'snapshot':
      s.term.write('', () => send({ op: 'snapshot', req: m.req, text: s.serializer.serialize({ scrollback: s.scrollback }) }));
      return;
    case 'screen':
      s.term.write('', () => send({ op: 'screen', req: m.req, screen: screenText(s.term) }));
      return;
    case 'close':
      s.term.dispose();
      screens.delete(m.id);
      return;
  }
});
