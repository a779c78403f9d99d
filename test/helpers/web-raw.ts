// Raw HTTP and WebSocket clients for the web terminal's refusal tests: every header set by hand.
import * as http from 'node:http';
import WebSocket from 'ws';
import { decodeMessage } from '../../src/protocol/decoder';
import { encode, type Frame } from '../../src/protocol/frame';
import { waitFor } from './deadline';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// One HTTP request to 127.0.0.1:`port` with exactly these headers (Host included).
export function httpRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A WebSocket to /ws with these headers: 'open' when it opened, else the HTTP status of the refusal.
export function wsConnect(port: number, headers: Record<string, string>): Promise<{ status: number | 'open'; ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve({ status: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, ws });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

// Frames over an open WebSocket, one per message.
export class WsFrames {
  readonly frames: Frame[] = [];
  closed = false;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frames.push(decodeMessage(new Uint8Array(data))));
    ws.on('close', () => (this.closed = true));
  }

  send(f: Frame): void {
    this.ws.send(encode(f));
  }

  waitFrame<T extends Frame['type']>(type: T, ms = 10_000): Promise<Extract<Frame, { type: T }>> {
    return waitFor(`frame type ${type}`, () => this.frames.find((f): f is Extract<Frame, { type: T }> => f.type === type), ms);
  }
}
