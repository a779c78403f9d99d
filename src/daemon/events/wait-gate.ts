// Once per wait: decides when "waiting for input" is news. A program that waits may redraw its
// screen (a clock, a blinking cursor, an AI CLI's box), and each redraw ends the kernel-level wait
// for a moment; a person typing an answer key by key makes the program wait again between keys.
// Neither is a new question. A new wait is news only after the user answered the last one:
// typed input that ends a line (Enter: CR or LF), or a new job started. Pure: no timers.
const CR = 0x0d;
const LF = 0x0a;

export class WaitGate {
  private armed = true;

  // Bytes typed into the session's terminal (an attached client, `#!send`).
  typed(data: Uint8Array): void {
    if (!this.armed && (data.includes(CR) || data.includes(LF))) this.armed = true;
  }

  // A new job (or a new program) started: its first wait is news.
  arm(): void {
    this.armed = true;
  }

  // Whether a wait seen now is news; taking it makes the next one wait for an answer.
  take(): boolean {
    const was = this.armed;
    this.armed = false;
    return was;
  }

  // Whether a wait would be news (the program watch probes only then).
  get open(): boolean {
    return this.armed;
  }
}
