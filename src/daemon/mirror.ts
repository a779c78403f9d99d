// The only module that imports @xterm: a headless terminal that follows a session's output so a
// newly attached client can be shown the current screen, even when a full-screen program switched
// modes (alternate screen, cursor keys, mouse) long before the ring's oldest byte.
//
// The serialize add-on restores the screens, the cursor position and most modes, but not cursor
// visibility (DECTCEM, ?25) nor the mouse encoding (?1005, ?1006, ?1015, ?1016): those are followed
// here through parser hooks that watch the sequences and let xterm handle them as usual.
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/headless';

// Scrollback lines kept by the mirror and sent on a fresh attach: more history than one screen.
export const MIRROR_SCROLLBACK_LINES = 1000;
const MOUSE_ENCODINGS = new Set([1005, 1006, 1015, 1016]);

export class Mirror {
  private readonly term: Terminal;
  private readonly serializer = new SerializeAddon();
  private fedTo = 0; // absolute offset one past the last byte written to the mirror
  private pending = 0; // bytes written that the terminal has not parsed yet
  private cursorHidden = false;
  private mouseEncoding: number | null = null;

  // `onParsed` is called whenever written bytes have been parsed (the caller may feed more).
  constructor(cols: number, rows: number, startOffset: number, private readonly onParsed: () => void = () => undefined) {
    this.term = new Terminal({ cols, rows, scrollback: MIRROR_SCROLLBACK_LINES, allowProposedApi: true });
    this.term.loadAddon(this.serializer);
    this.fedTo = startOffset;
    const mode = (set: boolean) => (params: (number | number[])[]): boolean => {
      for (const p of params) {
        if (p === 25) this.cursorHidden = !set;
        else if (typeof p === 'number' && MOUSE_ENCODINGS.has(p)) this.mouseEncoding = set ? p : this.mouseEncoding === p ? null : this.mouseEncoding;
      }
      return false; // xterm still handles the sequence itself
    };
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, mode(true));
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, mode(false));
    // RIS (ESC c) resets everything; DECSTR (CSI ! p) shows the cursor again.
    this.term.parser.registerEscHandler({ final: 'c' }, () => {
      this.cursorHidden = false;
      this.mouseEncoding = null;
      return false;
    });
    this.term.parser.registerCsiHandler({ intermediates: '!', final: 'p' }, () => {
      this.cursorHidden = false;
      return false;
    });
  }

  // One past the last byte written.
  get fed(): number {
    return this.fedTo;
  }

  // Bytes written but not parsed yet: what the mirror holds beyond its screen.
  get queued(): number {
    return this.pending;
  }

  // Feeds output that starts at absolute `offset`; after a gap (offset past `fed`) it carries on.
  write(offset: number, data: Uint8Array): void {
    this.fedTo = offset + data.length;
    this.pending += data.length;
    this.term.write(data, () => {
      this.pending -= data.length;
      this.onParsed();
    });
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  // The screen as of the last byte fed: the offset it corresponds to and the bytes that draw it.
  snapshot(): Promise<{ offset: number; data: Buffer }> {
    const offset = this.fedTo;
    return new Promise((resolve) => {
      this.term.write('', () => {
        let text = this.serializer.serialize({ scrollback: MIRROR_SCROLLBACK_LINES });
        if (this.mouseEncoding !== null) text += `\x1b[?${this.mouseEncoding}h`;
        if (this.cursorHidden) text += '\x1b[?25l';
        resolve({ offset, data: Buffer.from(text, 'utf8') });
      });
    });
  }

  dispose(): void {
    this.term.dispose();
  }
}
