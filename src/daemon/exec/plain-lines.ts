// The output cleaner's fast path (text-screen.ts): at the start of a line with nothing held,
// lines of plain text and tabs are final as they are, and most output is such lines. Each
// function sends a run of them to `out` and returns where it stopped.
import type { OutBuffer } from './out-buffer';

const LF = Buffer.from('\n');

// Output processing on: a line ends in "\r\n", which becomes "\n".
export function plainProcessed(buf: Buffer, start: number, end: number, out: OutBuffer): number {
  let from = start;
  for (;;) {
    let i = from;
    while (i < end && ((buf[i] as number) >= 0x20 || buf[i] === 0x09)) i++;
    if (i + 1 >= end || buf[i] !== 0x0d || buf[i + 1] !== 0x0a) return from;
    out.append(buf, from, i);
    out.append(LF);
    from = i + 2;
  }
}

// Output processing off: lines end in "\n" or the program's own "\r\n"; sent in one piece.
export function plainUnprocessed(buf: Buffer, start: number, end: number, out: OutBuffer): number {
  let i = start;
  let done = start;
  while (i < end) {
    const b = buf[i] as number;
    if (b >= 0x20 || b === 0x09) i++;
    else if (b === 0x0a) done = ++i;
    else if (b === 0x0d && i + 1 < end && buf[i + 1] === 0x0a) done = i += 2;
    else break;
  }
  if (done > start) out.append(buf, start, done);
  return done;
}
