// The one file an exec job's text goes through on its way into the session's shell (`source
// FILE`, DESIGN.md §2). One per session, opened once and rewritten in place for each job: its path
// is part of the short line typed into the shell (shell-integration.ts), and rewriting an open
// file costs a few µs where creating and removing one cost ~100 µs per request on ext4 (make bench).
// Between jobs it holds a single newline, so no command text stays at rest.
import * as fs from 'node:fs';
import * as path from 'node:path';

// Inside the session's private directory (runtime-dir.ts), which only we can enter.
export const SCRIPT_FILE_NAME = 'job.sh';

const EMPTY = Buffer.from('\n');

export class ScriptFile {
  readonly path: string;
  private fd: number | null = null;

  constructor(dir: string) {
    this.path = path.join(dir, SCRIPT_FILE_NAME);
  }

  // Puts `text` in the file for the next `source`. Throws when the file cannot be written.
  write(text: string): void {
    const data = Buffer.from(text);
    const fd = this.open();
    fs.writeSync(fd, data, 0, data.length, 0);
    fs.ftruncateSync(fd, data.length);
  }

  // The job has read it: only a newline stays. (Not an empty file: on ext4, truncating a file to
  // zero makes every later close of it start a writeback.)
  clear(): void {
    if (this.fd === null) return;
    try {
      fs.writeSync(this.fd, EMPTY, 0, 1, 0);
      fs.ftruncateSync(this.fd, 1);
    } catch {
      this.dispose(); // written again, from a fresh open, by the next job
    }
  }

  // What to do with a job's script file `file` once the job ends: ours is kept for the next job;
  // another (named by a daemon of an earlier release, see upgrade/) is removed.
  owner(file: string | null): { file: string | null; release: () => void } {
    if (file === null) return { file, release: () => undefined };
    if (file === this.path) return { file, release: () => this.clear() };
    return { file, release: () => fs.rm(file, { force: true }, () => undefined) };
  }

  // The session is gone: closes and removes the file.
  dispose(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(this.path, { force: true });
  }

  // Never follows a symlink (libuv adds O_CLOEXEC); an existing file (left by an earlier daemon
  // of this instance directory, see upgrade/) is ours, since nobody else can enter the directory.
  private open(): number {
    if (this.fd === null) this.fd = fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
    return this.fd;
  }
}
