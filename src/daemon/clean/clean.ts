// clean/ owns the exec reply cleaner: this streaming entry point, the escape-sequence lexer
// (ansi-lexer.ts) and the small text screen it renders into (screen-sink.ts, text-screen.ts,
// text-row.ts, out-buffer.ts). Pure: it imports nothing else of the daemon. jobs/running-job.ts
// feeds it a job's output.
//
// The exec reply cleaner: turns a command's raw PTY output into the text a person would read
// on the terminal once the command is done. Pure and streaming; any chunking gives the same
// result. The attached terminal never sees this: it reads the raw ring.
//
// - Dropped: colours and styles (SGR), cursor and mode changes, OSC (titles, cwd, hyperlinks:
//   the link's text stays), DCS/APC/PM/SOS strings, BEL, NUL.
// - A line redrawn with "\r", backspace, cursor moves or erase keeps its final state; a
//   multi-line redraw (cursor up) is held and sent once (see text-screen.ts for the rules).
// - "\r\n" from the PTY becomes "\n"; a "\r\n" the program printed itself stays "\r\n" (with
//   output processing off, see `unprocessed`, every "\r\n" is the program's own).
// - Text, tabs, other control characters, invalid UTF-8 and a last line without "\n" come
//   out byte for byte.
// - Streaming: a line is sent as soon as it ends with "\n"; the unfinished last line is held
//   (it may still be redrawn) until it ends or flush(). A line is held up to 64 KiB, then sent
//   in pieces; held redraw lines up to 1 MiB.
import { AnsiLexer } from './ansi-lexer';
import { ScreenSink } from './screen-sink';
import { TextScreen } from './text-screen';

// Streaming PTY output → clean text, for exec replies.
export class OutputCleaner {
  private readonly screen = new TextScreen();
  private readonly lexer = new AnsiLexer(new ScreenSink(this.screen));

  // Output processing is off from here on (exec jobs, shell/newlines.ts): the line endings in
  // the bytes are the program's own.
  unprocessed(): void {
    this.screen.unprocessed = true;
  }

  // Cleans one chunk; returns the text that became final (often empty). The caller must not
  // modify `chunk` afterwards: held lines keep references into it.
  push(chunk: Buffer): Buffer {
    this.lexer.push(chunk);
    return this.screen.take();
  }

  // The end of the output: returns everything held (the last line, a trailing "\r"). The
  // cleaner is then ready for a new stream.
  flush(): Buffer {
    this.lexer.flush();
    this.screen.flush();
    return this.screen.take();
  }

  // The lines held so far, while the stream goes on (a reply ends, the job runs on): unlike
  // flush, a sequence split across chunks and the program's modes (the alternate screen) stay.
  release(): Buffer {
    this.screen.flushLines();
    return this.screen.take();
  }
}
