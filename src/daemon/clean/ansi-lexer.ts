// Streaming tokenizer for terminal output (ECMA-48 as xterm speaks it), for the exec output
// cleaner. It splits bytes into text runs, C0 controls and escape sequences, and accepts any
// chunking: a sequence split across chunks is held, within a bound, until it completes.
//
//   ESC [ P..P I..I F        CSI: params 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E
//   ESC ] ... (BEL | ESC \)  OSC: titles, hyperlinks (OSC 8), cwd, marks: dropped whole
//   ESC P|X|^|_ ... ESC \    DCS, SOS, PM, APC strings: dropped whole (BEL also ends them)
//   ESC I..I F               other escapes: charset designation etc. dropped; `ESC 7` reported
//
// Inside a sequence CAN (0x18) and SUB (0x1A) abort it, ESC starts a new one, and other C0
// controls are executed, as a VT100 does. Bytes 0x80-0xFF are text: the stream is UTF-8, where
// they are parts of characters, not 8-bit C1 controls.

// Where the tokens go.
export interface LexSink {
  // A run of text bytes (>= 0x20); `buf` is only valid during the call.
  text(buf: Buffer, start: number, end: number): void;
  // A C0 control other than ESC (CR, LF, BS, TAB, BEL, NUL, ...).
  control(byte: number): void;
  // A complete CSI sequence; `prefix` is its private marker byte (`?`, `>`, ...) or 0,
  // `inter` its first intermediate byte or 0. Missing params are -1.
  csi(final: number, params: readonly number[], prefix: number, inter: number): void;
  // A two-byte escape (`ESC 7`, `ESC 8`, `ESC M`, `ESC c`, ...) without intermediates.
  esc(final: number): void;
  // Fast path, offered before each text run: consume complete plain lines from `start` (the
  // sink decides what plain is) and return where it stopped; `start` when it took nothing.
  plainLines(buf: Buffer, start: number, end: number): number;
}

const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
// CSI sequences are short (the longest real ones, SGR colours, are ~20 bytes): past this
// length the bytes are not a sequence we understand, and are dropped.
const CSI_MAX_BYTES = 64;
// Strings (OSC, DCS, ...) end with BEL or ST. An unterminated one (a `cat` of a binary file)
// would swallow all output: past 64 KiB it is abandoned and what follows is text again.
const STRING_MAX_BYTES = 64 * 1024;
// Numeric params are clamped here; no cursor move or mode needs more.
const PARAM_MAX = 65_535;
const MAX_PARAMS = 16;

const enum State {
  Ground,
  Escape,
  EscapeInter,
  Csi,
  Str,
  StrEscape, // saw ESC inside a string: `\` ends it
}

// Splits a byte stream into tokens for a sink; holds at most one incomplete sequence.
export class AnsiLexer {
  private state = State.Ground;
  private seqBytes = 0;
  private params: number[] = [];
  private param = -1;
  private prefix = 0;
  private inter = 0;

  constructor(private readonly sink: LexSink) {}

  // Feeds one chunk; tokens go to the sink in stream order.
  push(buf: Buffer): void {
    const sink = this.sink;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      if (this.state === State.Ground) {
        i = sink.plainLines(buf, i, n);
        const start = i;
        while (i < n && (buf[i] as number) >= 0x20) i++;
        if (i > start) sink.text(buf, start, i);
        if (i >= n) break;
        const b = buf[i++] as number;
        if (b === ESC) this.enterEscape();
        else sink.control(b);
        continue;
      }
      this.step(buf[i++] as number);
    }
  }

  // Ends the stream: an incomplete sequence is dropped.
  flush(): void {
    this.state = State.Ground;
  }

  private enterEscape(): void {
    this.state = State.Escape;
    this.seqBytes = 1;
    this.inter = 0;
  }

  // One byte inside a sequence.
  private step(b: number): void {
    if (++this.seqBytes > (this.state >= State.Str ? STRING_MAX_BYTES : CSI_MAX_BYTES)) {
      this.state = State.Ground;
      this.reinject(b);
      return;
    }
    if (this.state === State.Str || this.state === State.StrEscape) return this.stepString(b);
    if (b === CAN || b === SUB) {
      this.state = State.Ground;
      return;
    }
    if (b === ESC) return this.enterEscape();
    if (b < 0x20) {
      this.sink.control(b);
      return;
    }
    switch (this.state) {
      case State.Escape:
        return this.stepEscape(b);
      case State.EscapeInter:
        if (b > 0x2f) this.state = State.Ground; // the final byte (or junk) ends it
        return;
      case State.Csi:
        return this.stepCsi(b);
    }
  }

  private stepEscape(b: number): void {
    switch (b) {
      case 0x5b: // [
        this.state = State.Csi;
        this.params = [];
        this.param = -1;
        this.prefix = 0;
        return;
      case 0x5d: // ]
      case 0x50: // P
      case 0x58: // X
      case 0x5e: // ^
      case 0x5f: // _
        this.state = State.Str;
        return;
    }
    if (b >= 0x20 && b <= 0x2f) {
      this.state = State.EscapeInter;
      return;
    }
    this.state = State.Ground;
    if (b >= 0x30 && b <= 0x7e) this.sink.esc(b);
  }

  private stepCsi(b: number): void {
    if (b >= 0x30 && b <= 0x39) {
      this.param = Math.min(PARAM_MAX, (this.param < 0 ? 0 : this.param * 10) + (b - 0x30));
    } else if (b === 0x3b || b === 0x3a) {
      if (this.params.length < MAX_PARAMS) this.params.push(this.param);
      this.param = -1;
    } else if (b >= 0x3c && b <= 0x3f) {
      if (this.params.length === 0 && this.param < 0) this.prefix = b;
    } else if (b >= 0x20 && b <= 0x2f) {
      if (this.inter === 0) this.inter = b;
    } else if (b >= 0x40 && b <= 0x7e) {
      if (this.params.length < MAX_PARAMS) this.params.push(this.param);
      this.state = State.Ground;
      this.sink.csi(b, this.params, this.prefix, this.inter);
    } else {
      this.state = State.Ground; // DEL or a byte >= 0x80: not a sequence after all
    }
  }

  private stepString(b: number): void {
    if (this.state === State.StrEscape) {
      if (b === 0x5c) {
        this.state = State.Ground; // ST
        return;
      }
      // ESC followed by anything else: a new sequence begins (xterm does the same).
      this.enterEscape();
      this.step(b);
      return;
    }
    if (b === BEL || b === CAN || b === SUB) this.state = State.Ground;
    else if (b === ESC) this.state = State.StrEscape;
  }

  // A byte that arrived after a sequence was abandoned is ordinary input again.
  private reinject(b: number): void {
    if (b === ESC) this.enterEscape();
    else if (b < 0x20) this.sink.control(b);
    else this.sink.text(Buffer.of(b), 0, 1);
  }
}
