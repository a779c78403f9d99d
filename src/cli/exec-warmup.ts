// One exec round trip inside the process, against a peer of its own on loopback. The single
// binary runs it while its startup snapshot is built (sea-main.ts), so the snapshot holds the
// client's whole path (dial, request, trailer, the net and stream internals) compiled: measured
// here, that takes ~5 ms off every `pty-relay exec` start.
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import { runExec } from '../client/exec';

// Long enough for a loaded build machine; the round trip itself takes milliseconds.
const WARMUP_LIMIT_MS = 10_000;

// Sends `true` to an in-process peer that answers as the daemon does; resolves once everything is
// closed (no handle may outlive it into the snapshot), rejects when that does not happen in time.
export function warmExecRoundTrip(): Promise<void> {
  return new Promise((resolve, reject) => {
    const peers = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      peers.add(sock);
      let text = '';
      sock.on('data', (c: Buffer) => (text += c.toString('utf8')));
      // The empty note first: this daemon knows #!notes (protocol/exec-text.ts).
      sock.on('end', () => {
        const token = /^#!trailer (\S+)/.exec(text)?.[1] ?? '';
        sock.end(`\0${token}!0\nwarm\n\0${token};0;exit\n`);
      });
      sock.on('close', () => peers.delete(sock));
    });
    const guard = setTimeout(() => {
      for (const p of peers) p.destroy();
      server.close();
      reject(new Error(`no reply within ${WARMUP_LIMIT_MS} ms`));
    }, WARMUP_LIMIT_MS);
    guard.unref();
    server.on('error', (err) => {
      clearTimeout(guard);
      reject(err);
    });
    server.listen(0, '127.0.0.1', () => {
      const sink = new PassThrough();
      sink.resume();
      const { port } = server.address() as net.AddressInfo;
      runExec({ endpoint: { host: '127.0.0.1', port }, secret: null, session: undefined, timeoutS: undefined, script: 'true', out: sink, err: sink })
        .then((status) => (status === 0 ? undefined : Promise.reject(new Error(`the round trip ended with status ${status}`))))
        .then(
          () => server.close(() => (clearTimeout(guard), resolve())),
          (err: Error) => server.close(() => (clearTimeout(guard), reject(err))),
        );
    });
  });
}
