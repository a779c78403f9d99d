// Section 3: one keystroke in, its echo out, through attach and through node-pty alone.
import * as nodePty from 'node-pty';
import { QUICK, env, record, section } from './context';
import { Framed, now, repeat, stat } from './lib';

const ECHO_N = QUICK ? 100 : 1000;

export async function echoLatency(relayPort: number): Promise<void> {
  section('3. Interactive echo: one byte in, its echo out');
  const f = new Framed(relayPort);
  await f.attach('echo');
  let pending: (() => void) | null = null;
  let seen = '';
  let want = 'READY'; // printed once cat runs; the echo of the typed line shows "READ%s" instead
  f.onOutput = (d) => {
    seen += d.toString('latin1');
    if (pending && seen.includes(want)) {
      const p = pending;
      pending = null;
      seen = '';
      want = 'Q';
      p();
    }
  };
  const ready = new Promise<void>((r) => (pending = r));
  f.input("stty raw -echo; printf 'READ%s' Y; exec cat\r");
  await ready;
  const viaRelay = await repeat(ECHO_N, () => new Promise<number>((resolve) => {
    const t = now();
    pending = () => resolve(now() - t);
    f.input('Q');
  }), 20);
  f.close();
  record(stat('pty-relay attach: keystroke echo (cat in raw mode)', 'ms', viaRelay));

  const p = nodePty.spawn('/bin/bash', ['--norc', '-c', 'stty raw -echo; printf Q; exec cat'], { cols: 80, rows: 24, env, encoding: null } as nodePty.IPtyForkOptions);
  let waiter: (() => void) | null = null;
  let buf = '';
  const first = new Promise<void>((r) => (waiter = r));
  p.onData((d: string | Buffer) => {
    buf += d.toString();
    if (waiter && buf.includes('Q')) {
      const w = waiter;
      waiter = null;
      buf = '';
      w();
    }
  });
  await first;
  const direct = await repeat(ECHO_N, () => new Promise<number>((resolve) => {
    const t = now();
    waiter = () => resolve(now() - t);
    p.write('Q');
  }), 20);
  p.kill();
  record(stat('floor: node-pty directly (same cat)', 'ms', direct));
}
