// The only module that imports @xterm: a headless terminal that follows a session's output so a
// newly attached client can be shown the current screen, even when a full-screen program switched
// modes (alternate screen, cursor keys, mouse) long before the ring's oldest byte.
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/headless';

// Scrollback lines kept by the mirror and sent on a fresh attach: more history than one screen.
export const MIRROR_SCROLLBACK_LINES = 1000;

export interface ScreenText {
  rows: string[];
  cursor: { row: number; col: number };
  altScreen: boolean;
}

export class Mirror {
  private readonly term: Terminal;
  private readonly serializer = new SerializeAddon();
  private fed = 0; // absolute offset one past the last byte written to the mirror

  constructor(cols: number, rows: number, startOffset: number) {
    this.term = new Terminal({ cols, rows, scrollback: MIRROR_SCROLLBACK_LINES, allowProposedApi: true });
    this.term.loadAddon(this.serializer);
    this.fed = startOffset;
  }

  // Feeds output that starts at absolute `offset` (which must follow the previous write).
  write(offset: number, data: Buffer): void {
    if (offset !== this.fed) this.fed = offset; // after a gap the mirror just carries on
    this.term.write(data);
    this.fed += data.length;
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  // The screen as of the last byte fed: the offset it corresponds to and the bytes that draw it.
  snapshot(): Promise<{ offset: number; data: Buffer }> {
    const offset = this.fed;
    return new Promise((resolve) => {
      this.term.write('', () => {
        const text = this.serializer.serialize({ scrollback: MIRROR_SCROLLBACK_LINES });
        resolve({ offset, data: Buffer.from(text, 'utf8') });
      });
    });
  }

  // The screen as plain text, as a person sees it: rows with trailing spaces trimmed, the cursor,
  // and whether a full-screen program switched to the alternate screen.
  screenText(): Promise<ScreenText> {
    return new Promise((resolve) => {
      this.term.write('', () => {
        const buf = this.term.buffer.active;
        const rows: string[] = [];
        for (let y = 0; y < this.term.rows; y++) rows.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
        resolve({ rows, cursor: { row: buf.cursorY, col: buf.cursorX }, altScreen: buf.type === 'alternate' });
      });
    });
  }

  dispose(): void {
    this.term.dispose();
  }
}
