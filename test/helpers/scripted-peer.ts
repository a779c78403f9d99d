// A stand-in for the daemon in client tests: a loopback server that reads one exec request per
// connection (its leading directive lines, then the script) up to the client's EOF and answers
// with what `answer` makes of it. Pins down the wire format whatever the daemon in the tree does.
import * as net from 'node:net';

export interface PeerRequest {
  directives: string[]; // every leading `#!` line, as sent
  script: string;
  trailer: string | null; // the token of a first `#!trailer TOKEN` line
}

export interface ScriptedPeer {
  port: number;
  close(): void;
}

// Starts the peer; `answer` returns the whole reply for one request.
export async function scriptedPeer(answer: (r: PeerRequest) => string): Promise<ScriptedPeer> {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    let text = '';
    sock.on('data', (c: Buffer) => (text += c.toString('utf8')));
    sock.on('end', () => {
      const lines = text.split('\n');
      const directives: string[] = [];
      while (lines.length > 0 && /^#![a-z]/.test(lines[0]!)) directives.push(lines.shift()!);
      const trailer = /^#!trailer (\S+)$/.exec(directives[0] ?? '')?.[1] ?? null;
      sock.end(answer({ directives, script: lines.join('\n'), trailer }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}
