// Section 2: output throughput of `seq`, through exec and attach, against node-pty reading a plain
// PTY (the ceiling), the same PTY without OPOST, and socat's PTY relay.
import { spawn } from 'node:child_process';
import * as nodePty from 'node-pty';
import { freePort, waitListening } from '../helpers/sshd';
import { QUICK, env, record, section } from './context';
import { Framed, now, stat, timedText, type Stat } from './lib';

const SEQ_N = QUICK ? 2_000_000 : 20_000_000;
const TP_RUNS = QUICK ? 1 : 3;

export async function throughput(relayPort: number): Promise<void> {
  section(`2. Output throughput: seq 1 ${SEQ_N}`);
  const cmd = `seq 1 ${SEQ_N}`;
  const payload = Number((await timedText(['bash', '-c', `${cmd} | wc -c`]))[1].trim());
  const mbps = (name: string, samples: Array<[number, number]>): Stat =>
    record(stat(name, 'MB/s', samples.map(([ms, bytes]) => bytes / 1e6 / (ms / 1000))));
  // Every figure counts the command's own output (seq's bytes), so "\r" added by ONLCR is not counted.
  // The floor does no more per chunk than add up its length (as a reader that only relays would):
  // it credits `payload` once at least that much arrived, as the attach client does at its marker.
  const ptyRun = (script: string): Promise<[number, number]> =>
    new Promise((resolve) => {
      const t = now();
      let bytes = 0;
      const p = nodePty.spawn('/bin/bash', ['--norc', '-c', script], { cols: 200, rows: 50, env, encoding: null } as nodePty.IPtyForkOptions);
      p.onData((d: string | Buffer) => void (bytes += d.length));
      p.onExit(() => resolve([now() - t, Math.min(bytes, payload)]));
    });
  const runs = async (fn: () => Promise<[number, number]>): Promise<Array<[number, number]>> => {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < TP_RUNS; i++) out.push(await fn());
    return out;
  };
  mbps('floor: node-pty reading a plain PTY', await runs(() => ptyRun(cmd)));
  mbps('floor: node-pty, PTY without OPOST (stty -opost)', await runs(() => ptyRun(`stty -opost; ${cmd}`)));
  // The byte count comes from `wc -c` at the far end of the pipe.
  const counted = async (shell: string): Promise<[number, number]> => {
    const [ms, out] = await timedText(['bash', '-c', `${shell} | wc -c`]);
    return [ms, Number(out.trim())];
  };
  mbps('pty-relay exec: echo seq | nc -N (clean text)', await runs(() => counted(`printf '%s\\n' '#!limit 0' '${cmd}' | nc.openbsd -N 127.0.0.1 ${relayPort}`)));
  // Attach mode: a framed client types the command and counts output until a marker.
  const attachRun = async (): Promise<[number, number]> => {
    const f = new Framed(relayPort);
    await f.attach(`tp-${Math.random().toString(36).slice(2, 8)}`);
    let tail = '';
    const done = new Promise<void>((resolve) => {
      f.onOutput = (d) => {
        const text = tail + d.toString('latin1');
        if (text.includes('BENCH-END\r\n')) resolve();
        tail = text.slice(-64);
      };
    });
    const t = now();
    f.input(`${cmd}; printf 'BENCH-%s\\n' END\r`);
    await done;
    const ms = now() - t;
    f.close();
    return [ms, payload];
  };
  mbps('pty-relay attach: framed client (raw stream + screen mirror)', await runs(attachRun));
  const sp = await freePort();
  const socatRun = async (): Promise<[number, number]> => {
    // fork: the readiness probe takes one connection, the measured nc the next.
    const s = spawn('socat', [`TCP-LISTEN:${sp},bind=127.0.0.1,reuseaddr,fork`, `EXEC:${cmd},pty,sane`], { stdio: 'ignore', env });
    await waitListening(sp);
    const r = await counted(`nc.openbsd -N 127.0.0.1 ${sp} < /dev/null | tr -d '\\r'`);
    s.kill();
    return r;
  };
  mbps('peer: socat EXEC:seq,pty into nc', await runs(socatRun));
}
