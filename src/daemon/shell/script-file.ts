// The one file an exec job's text goes through on its way into the session's shell (`source
// FILE`, DESIGN.md §2). One per session, opened once and rewritten in place for each job: its path
// is part of the short line typed into the shell (shell-integration.ts), and rewriting an open
// file costs a few µs where creating and removing one cost ~100 µs per request on ext4 (make bench).
// Between jobs it holds a single newline, so no command text stays at rest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileOwner } from '../base/runtime-dir';

// Inside the session's private directory (runtime-dir.ts), which only we can enter.
export const SCRIPT_FILE_NAME = 'job.sh';

const EMPTY = Buffer.from('\n');

export class ScriptFile {
  readonly path: string;
  private fd: number | null = null;

  // `owner`: the file belongs to this user (a root daemon's sandbox, whose shell reads it), whose
  // directory `dir` then is.
  constructor(
    dir: string,
    private readonly owner: FileOwner | null = null,
  ) {
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
  forJob(file: string | null): { file: string | null; release: () => void } {
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

  // Never follows a symlink (libuv adds O_CLOEXEC); an existing file was left by an earlier daemon
  // of this instance directory (see upgrade/), or, in a directory a sandbox's user owns, put there
  // by that user: never blocks (a FIFO without a reader would hold the daemon's whole event loop
  // in open(2)), and anything but a regular file is removed and the file made afresh.
  private open(): number {
    if (this.fd !== null) return this.fd;
    let fd = this.openRegular(0);
    if (fd === null) {
      fs.rmSync(this.path, { force: true });
      fd = this.openRegular(fs.constants.O_EXCL);
    }
    if (fd === null) throw new Error(`${this.path} is not a regular file`);
    try {
      if (this.owner !== null) fs.fchownSync(fd, this.owner.uid, this.owner.gid);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    return (this.fd = fd);
  }

  // The file opened for writing if it is (or is made as) a regular file; null when something else
  // is at its path (a FIFO, a symlink, a socket).
  private openRegular(extra: number): number | null {
    const { O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
    let fd: number;
    try {
      fd = fs.openSync(this.path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | extra, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENXIO' || code === 'ELOOP' || code === 'EEXIST') return null;
      throw err;
    }
    if (fs.fstatSync(fd).isFile()) return fd;
    fs.closeSync(fd);
    return null;
  }
}
