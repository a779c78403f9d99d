// The display stream of a session whose exec job runs with output processing off: "\r" comes
// back before every "\n" that lacks one, from the job's F mark until the next command's C mark,
// and never while a program has cleared the terminal's ONLCR. A real PTY (node-pty) and termios.node.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as nodePty from 'node-pty';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Newlines } from '../../../../src/daemon/shell/newlines';
import { termios } from '../../../../src/daemon/pty/termios';

const NONCE = '0123456789abcdef0123456789abcdef';
let dir: string;
let pty: nodePty.IPty;
let fd: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newlines-'));
  pty = nodePty.spawn('/bin/sleep', ['60'], { cols: 80, rows: 24 });
  fd = (pty as unknown as { _fd: number })._fd;
});
afterEach(() => {
  pty.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

const token = (): string => (Date.now() / 1000).toFixed(6);
const show = (nl: Newlines, s: string): string => nl.display(Buffer.from(s, 'latin1'), fd, NONCE).toString('latin1');

describe('Newlines', () => {
  it('has the addon: termios.node is built', () => {
    expect(termios()).not.toBeNull();
  });

  it('switches output processing off for a plain job and on again at its end', () => {
    const t = termios()!;
    const nl = new Newlines(dir);
    expect(t.flags(fd) & 1).toBe(1);
    expect(nl.flip(fd, '1', token(), true)).toBe(true);
    expect(t.flags(fd) & 1).toBe(0);
    nl.jobEnded(fd);
    expect(t.flags(fd) & 1).toBe(1);
    expect(nl.flip(fd, '2', token(), false)).toBe(false); // not a plain job
    expect(nl.flip(fd, '3', (Date.now() / 1000 - 5).toFixed(6), true)).toBe(false); // the shell stopped waiting
    expect(t.flags(fd) & 1).toBe(1);
  });

  it('adds "\\r" before a bare "\\n" only inside the window, across chunks, and never twice', () => {
    const nl = new Newlines(dir);
    expect(show(nl, 'a\nb\n')).toBe('a\nb\n'); // no job: as it came
    nl.flip(fd, '1', token(), true);
    expect(show(nl, 'a\nb\r\nc\r')).toBe('a\r\nb\r\nc\r');
    expect(show(nl, '\nd\n')).toBe('\nd\r\n'); // the "\r" came at the end of the last chunk
    nl.jobEnded(fd);
    expect(show(nl, 'prompt\nline two> ')).toBe('prompt\r\nline two> '); // until the next command starts
    expect(show(nl, `x\n\x1b]133;C;prn=${NONCE}\x07typed\n`)).toBe(`x\r\n\x1b]133;C;prn=${NONCE}\x07typed\n`);
    expect(show(nl, 'more\n')).toBe('more\n');
  });

  it('leaves a program alone that cleared ONLCR (vim), and keeps adding "\\r" through other mode changes', () => {
    const nl = new Newlines(dir);
    nl.flip(fd, '1', token(), true);
    expect(show(nl, 'a\n')).toBe('a\r\n');
    // A password prompt (echo off) or a relay of an inner terminal (raw: OPOST off, ONLCR kept,
    // as sudo and apt set ours): its "\n" would have become "\r\n" in the inner terminal.
    expect(stty(['-echo'])).toBe(0);
    expect(show(nl, 'b\n')).toBe('b\r\n');
    expect(stty(['raw', '-echo'])).toBe(0);
    expect(show(nl, 'c\n')).toBe('c\r\n');
    // A full-screen program that clears ONLCR means a bare line feed.
    expect(stty(['-onlcr'])).toBe(0);
    expect(show(nl, 'd\n')).toBe('d\n');
    expect(stty(['onlcr', 'echo', '-raw', '-opost'])).toBe(0);
    expect(show(nl, 'e\n')).toBe('e\r\n');
  });

  it('answers the shell through the FIFO: the mark\'s digit, then o when it switched output processing off, else n', () => {
    const fifo = path.join(dir, 'ack');
    expect(spawnSync('mkfifo', ['-m', '600', fifo]).status).toBe(0);
    const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const nl = new Newlines(dir);
    nl.flip(fd, '4', token(), true);
    nl.flipBack(fd, '5');
    nl.flip(fd, '6', token(), false);
    const buf = Buffer.alloc(100);
    const n = fs.readSync(reader, buf);
    expect(buf.toString('latin1', 0, n)).toBe('4o5n6n');
    fs.closeSync(reader);
    nl.dispose();
  });
});

// stty on the PTY's slave side, as a program in it would.
function stty(args: string[]): number | null {
  return spawnSync('stty', ['-F', (pty as unknown as { _pty: string })._pty, ...args]).status;
}
