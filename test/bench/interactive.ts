// Section 3: one keystroke in, its echo out, through attach and through node-pty alone.
import * as nodePty from 'node-pty';
import { QUICK, env, record, section } from './context';
import { Framed, now, repeat, stat } from './lib';

const ECHO_N = QUICK ? 100 : 1000;

// Resolves when `want` has appeared in what was fed since the last match; one wait at a time.
// The relay and the floor are timed with the same watcher.
function watcher(): { feed(text: string): void; until(want: string, send: () => void): Promise<void> } {
  let seen = '';
  let want = '';
  let done: (() => void) | null = null;
  return {
    feed(text) {
      seen += text;
      if (done !== null && seen.includes(want)) {
        const d = done;
        done = null;
        seen = '';
        d();
      }
    },
    until(marker, send) {
      want = marker;
      const p = new Promise<void>((resolve) => (done = resolve));
      send();
      return p;
    },
  };
}

// ECHO_N round trips of one keystroke, `Q`, written with `write`.
function echoes(w: ReturnType<typeof watcher>, write: (s: string) => void): Promise<number[]> {
  return repeat(ECHO_N, async () => {
    const t = now();
    await w.until('Q', () => write('Q'));
    return now() - t;
  }, 20);
}

export async function echoLatency(relayPort: number): Promise<void> {
  section('3. Interactive echo: one byte in, its echo out');
  const f = new Framed(relayPort);
  await f.attach('echo');
  const relay = watcher();
  f.onOutput = (d) => relay.feed(d.toString('latin1'));
  // READY is printed once cat runs; the echo of the typed line shows "READ%s" instead.
  await relay.until('READY', () => f.input("stty raw -echo; printf 'READ%s' Y; exec cat\r"));
  const viaRelay = await echoes(relay, (s) => f.input(s));
  f.close();
  record(stat('pty-relay attach: keystroke echo (cat in raw mode)', 'ms', viaRelay));

  const floor = watcher();
  const p = nodePty.spawn('/bin/bash', ['--norc', '-c', 'stty raw -echo; printf READY; exec cat'], { cols: 80, rows: 24, env, encoding: null } as nodePty.IPtyForkOptions);
  p.onData((d: string | Buffer) => floor.feed(d.toString()));
  await floor.until('READY', () => undefined);
  const direct = await echoes(floor, (s) => p.write(s));
  p.kill();
  record(stat('floor: node-pty directly (same cat)', 'ms', direct));
}
