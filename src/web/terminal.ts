// The page's terminal: xterm.js with the fit add-on (the one module that imports them). It always
// shows the session at the session's own size; the font shrinks (never below MIN_FONT_PX) until
// that size fits, so a phone watching a wide session sees all of it instead of resizing it.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { clampSize } from '../protocol/frame';
import { utf8 } from './dom';

// Readable on a laptop; 13 px on phones gives about 50 columns across a 390 px screen.
export const DESKTOP_FONT_PX = 14;
export const TOUCH_FONT_PX = 13;
// Smaller than this is unreadable; the terminal pans instead.
const MIN_FONT_PX = 6;
// Lines kept above the screen in the page (the daemon sends up to 1000 with a fresh screen).
const SCROLLBACK_LINES = 10_000;

const THEME = {
  background: '#0f1115',
  foreground: '#d7dae0',
  cursor: '#e6e6e6',
  selectionBackground: '#3a4252',
  black: '#1c1f26', red: '#e06c75', green: '#98c379', yellow: '#e5c07b', blue: '#61afef', magenta: '#c678dd', cyan: '#56b6c2', white: '#d7dae0',
  brightBlack: '#5c6370', brightRed: '#ff7b86', brightGreen: '#b5e890', brightYellow: '#ffd68a', brightBlue: '#7cc4ff', brightMagenta: '#dc9bf0', brightCyan: '#74d3de', brightWhite: '#ffffff',
};

export interface TermOptions {
  readOnly: boolean;
  fontPx: number; // the preferred (largest) font size
  onInput(data: Uint8Array): void;
}

// Terminal queries a program prints (device attributes, status and cursor reports, mode and
// setting requests, colour queries, window reports), which xterm.js would answer by itself. The
// page never answers on the user's behalf: answers arriving while a job runs were typed into the
// shell after it (and left it in a continuation line), and anyone who can print to the session
// could make the page "type" them. pty-client's real terminal answers; a page answers nothing.
const QUERY_CSI = [{ final: 'c' }, { prefix: '>', final: 'c' }, { final: 'n' }, { prefix: '?', final: 'n' }, { intermediates: '$', final: 'p' }, { prefix: '?', intermediates: '$', final: 'p' }];
// CSI Ps t reports (the rest of CSI t, e.g. 22/23 title stack, is left to xterm).
const REPORT_T = new Set([11, 13, 14, 15, 16, 18, 19, 20, 21]);
// Colour OSCs: a "?" in place of a colour is a query; a colour sets it (left to xterm).
const COLOUR_OSC = [4, 10, 11, 12];

// Swallows every query xterm.js would answer (custom parser handlers run before its own).
function silenceReports(term: Terminal): void {
  for (const id of QUERY_CSI) term.parser.registerCsiHandler(id, () => true);
  term.parser.registerCsiHandler({ final: 't' }, (params) => REPORT_T.has(Number(params[0] ?? 0)));
  term.parser.registerDcsHandler({ intermediates: '$', final: 'q' }, () => true);
  for (const n of COLOUR_OSC) term.parser.registerOscHandler(n, (data) => data.split(';').some((part) => part.trim() === '?'));
}

export class TermView {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private cols = 0;
  private rows = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly o: TermOptions,
  ) {
    this.term = new Terminal({
      fontSize: o.fontPx,
      fontFamily: 'ui-monospace, "SF Mono", Menlo, "DejaVu Sans Mono", "Liberation Mono", monospace',
      scrollback: SCROLLBACK_LINES,
      cursorBlink: !o.readOnly,
      disableStdin: o.readOnly,
      macOptionIsMeta: true,
      theme: THEME,
    });
    this.term.loadAddon(this.fit);
    silenceReports(this.term);
    this.term.open(host);
    this.term.onData((s) => o.onInput(utf8.encode(s)));
    // Old-style mouse reports carry raw bytes above 127.
    this.term.onBinary((s) => o.onInput(Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff)));
  }

  // The size that fills the host at the preferred font: what this page would give the session.
  wanted(): { cols: number; rows: number } {
    this.term.options.fontSize = this.o.fontPx;
    const d = this.fit.proposeDimensions();
    // A window bigger than the protocol allows asks for the largest size (MAX_TERM_DIM).
    const wanted = d === undefined || !Number.isFinite(d.cols) ? { cols: 80, rows: 24 } : clampSize(Math.max(20, d.cols), Math.max(5, d.rows));
    this.applyFont(); // put the font back for the size shown now
    return wanted;
  }

  // Shows the session at `cols` x `rows`.
  setSize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.applyFont();
    if (this.term.cols !== cols || this.term.rows !== rows) this.term.resize(cols, rows);
  }

  // The host changed size: pick the font again.
  refit(): void {
    if (this.cols > 0) this.setSize(this.cols, this.rows);
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  get fontPx(): number {
    return this.term.options.fontSize ?? this.o.fontPx;
  }

  write(data: Uint8Array, drawn: () => void): void {
    this.term.write(data, drawn);
  }

  // A fresh screen from the daemon: everything reset, then the redraw (modes included).
  redraw(data: Uint8Array, drawn: () => void): void {
    this.term.reset();
    this.term.write(data, drawn);
  }

  focus(): void {
    this.term.focus();
  }

  dispose(): void {
    this.term.dispose();
  }

  // The largest font up to the preferred one at which the session's size fits the host.
  private applyFont(): void {
    if (this.cols === 0) return;
    let font = this.o.fontPx;
    this.term.options.fontSize = font;
    const d = this.fit.proposeDimensions();
    if (d === undefined || !Number.isFinite(d.cols) || d.cols <= 0) return;
    if (d.cols >= this.cols && d.rows >= this.rows) return;
    // Estimate, then step down to be sure (cells round to whole device pixels).
    font = Math.max(MIN_FONT_PX, Math.floor(2 * font * Math.min(d.cols / this.cols, d.rows / this.rows)) / 2);
    for (; font > MIN_FONT_PX; font -= 0.5) {
      this.term.options.fontSize = font;
      const e = this.fit.proposeDimensions();
      if (e === undefined || (e.cols >= this.cols && e.rows >= this.rows)) return;
    }
    this.term.options.fontSize = MIN_FONT_PX;
  }
}
