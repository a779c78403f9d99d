// One exec round trip inside the process, against a peer of its own on loopback. The single
// binary runs it while its startup snapshot is built (sea-main.ts), so the snapshot holds the
// client's whole path (dial, request, trailer, the net and stream internals) compiled: measured
// here, that takes ~5 ms off every `pty-relay exec` start.
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import { runExec } from '../client/exec';

// No timer may be made here: Node's timer bookkeeping, taken into the snapshot with a timer once
// armed (even cleared), left every process started from it unable to arm a timer first made ~10 s
// after its start (the old 10 s guard's expiry). A daemon first used after an idle start then
// fired no timer at all: no #!timeout, no settle time, no shutdown (issue 22's "timeouts
// ignored"). A hung round trip is bounded by the build instead (build/binary.ts).

// Sends `true` to an in-process peer that answers as the daemon does; resolves once everything is
// closed (no handle may outlive it into the snapshot).
export function warmExecRoundTrip(): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      let text = '';
      sock.on('data', (c: Buffer) => (text += c.toString('utf8')));
      // The empty note first: this daemon knows #!notes (protocol/exec-text.ts).
      sock.on('end', () => {
        const token = /^#!trailer (\S+)/.exec(text)?.[1] ?? '';
        sock.end(`\0${token}!0\nwarm\n\0${token};0;exit\n`);
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const sink = new PassThrough();
      sink.resume();
      const { port } = server.address() as net.AddressInfo;
      runExec({ endpoint: { host: '127.0.0.1', port }, secret: null, session: undefined, timeoutS: undefined, script: 'true', out: sink, err: sink })
        .then((status) => (status === 0 ? undefined : Promise.reject(new Error(`the round trip ended with status ${status}`))))
        .then(
          () => server.close(() => resolve()),
          (err: Error) => server.close(() => reject(err)),
        );
    });
  });
}
