// The mirror worker: the only module that imports @xterm. Headless terminals that follow the
// sessions' output on a thread of their own, so that parsing every byte of a flood does not
// share the daemon's one event loop (the PTY, the ring and the sockets keep the main thread).
// Bundled on its own (dist/mirror-worker.js) and, in the single binary, embedded as an SEA asset.
import { parentPort } from 'node:worker_threads';
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/headless';
import type { FromWorker, ScreenText, ToWorker } from './mirror-messages';
import { drawRows } from './repaint';

interface Screen {
  term: Terminal;
  serializer: SerializeAddon;
  scrollback: number;
  modes: { cursorHidden: boolean; mouseEncoding: number | null };
}

// The serialize add-on restores the screens, the cursor position and most modes, but not cursor
// visibility (DECTCEM, ?25) nor the mouse encoding (?1005, ?1006, ?1015, ?1016): those are followed
// through parser hooks that watch the sequences and let xterm handle them as usual.
const MOUSE_ENCODINGS = new Set([1005, 1006, 1015, 1016]);

function followModes(term: Terminal): Screen['modes'] {
  const modes: Screen['modes'] = { cursorHidden: false, mouseEncoding: null };
  const mode = (set: boolean) => (params: (number | number[])[]): boolean => {
    for (const p of params) {
      if (p === 25) modes.cursorHidden = !set;
      else if (typeof p === 'number' && MOUSE_ENCODINGS.has(p)) modes.mouseEncoding = set ? p : modes.mouseEncoding === p ? null : modes.mouseEncoding;
    }
    return false; // xterm still handles the sequence itself
  };
  term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, mode(true));
  term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, mode(false));
  // RIS (ESC c) resets everything; DECSTR (CSI ! p) shows the cursor again.
  term.parser.registerEscHandler({ final: 'c' }, () => {
    modes.cursorHidden = false;
    modes.mouseEncoding = null;
    return false;
  });
  term.parser.registerCsiHandler({ intermediates: '!', final: 'p' }, () => {
    modes.cursorHidden = false;
    return false;
  });
  return modes;
}

// The serialized screen plus the modes the add-on leaves out.
function serialize(s: Screen): string {
  let text = s.serializer.serialize({ scrollback: s.scrollback });
  if (s.modes.mouseEncoding !== null) text += `\x1b[?${s.modes.mouseEncoding}h`;
  if (s.modes.cursorHidden) text += '\x1b[?25l';
  return text;
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
  return { rows, cols: term.cols, cursor: { row: buf.cursorY, col: buf.cursorX }, altScreen: buf.type === 'alternate' };
}

port.on('message', (m: ToWorker) => {
  if (m.op === 'open') {
    const term = new Terminal({ cols: m.cols, rows: m.rows, scrollback: m.scrollback, allowProposedApi: true });
    const serializer = new SerializeAddon();
    term.loadAddon(serializer);
    screens.set(m.id, { term, serializer, scrollback: m.scrollback, modes: followModes(term) });
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
      s.term.write('', () => send({ op: 'snapshot', req: m.req, text: serialize(s) }));
      return;
    case 'repaint':
      s.term.write('', () => send({ op: 'repaint', req: m.req, text: drawRows(s.term, m.rows, m.cols) }));
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
