// One worker thread (mirror-worker.ts) holds every session's screen mirror. Started on the first
// mirror, ended with the last; unref'd, so it never keeps the daemon alive. If it dies, waiting
// requests get empty answers and a new worker re-opens the live mirrors (their screens start
// blank: a lost screen, never a stuck attach); after MAX_WORKER_DEATHS the mirrors stay blank.
//
// Where its code comes from: dist/mirror-worker.js (a bundle of its own, see tsup.config.ts)
// beside dist/main.js; inside the single binary, the same file embedded as an SEA asset and
// started with `eval: true` (the binary has no files beside it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RelayError } from '../../errors';
import type { FromWorker, ScreenText, ToWorker } from './mirror-messages';

export const MIRROR_WORKER_ASSET = 'mirror-worker.js';
// A worker that keeps dying has a bug no restart fixes: stop trying, rather than loop.
const MAX_WORKER_DEATHS = 3;

// What the host needs from a mirror.
export interface MirrorClient {
  // The worker finished parsing `bytes` of this mirror's writes.
  parsed(bytes: number): void;
  // A new worker took over: post 'open' again (the old screen is gone).
  reopen(): void;
}

type Reply = Extract<FromWorker, { req: number }>;

interface SeaApi {
  isSea(): boolean;
  getAsset(key: string, encoding: string): string;
}

function sea(): SeaApi | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('node:sea') as SeaApi;
    return api.isSea() ? api : null;
  } catch {
    return null;
  }
}

// Starts the worker from the embedded asset or from the bundle beside us (or dist/, from src/).
function startWorker(): Worker {
  const api = sea();
  if (api !== null) return new Worker(api.getAsset(MIRROR_WORKER_ASSET, 'utf8'), { eval: true });
  const candidates = [path.join(__dirname, MIRROR_WORKER_ASSET), path.resolve(__dirname, '../../../dist', MIRROR_WORKER_ASSET)];
  const file = candidates.find((f) => fs.existsSync(f));
  if (file === undefined) throw new RelayError('PR_ERR_BUILD', `${MIRROR_WORKER_ASSET} is missing beside the bundle (make build)`);
  return new Worker(file);
}

class MirrorHost {
  private worker: Worker | null = null;
  private deaths = 0;
  private nextId = 1;
  private nextReq = 1;
  private readonly clients = new Map<number, MirrorClient>();
  private readonly waiting = new Map<number, (reply: Reply | null) => void>();

  // Registers a mirror; the caller posts its 'open'.
  add(client: MirrorClient): number {
    const id = this.nextId++;
    this.clients.set(id, client);
    return id;
  }

  post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.ensure()?.postMessage(m, transfer);
  }

  // Asks the worker for mirror `id`'s screen (`args`: the request's own fields); null when the
  // worker died first.
  request<K extends Reply['op']>(id: number, op: K, args: Record<string, number> = {}): Promise<Extract<Reply, { op: K }> | null> {
    const req = this.nextReq++;
    return new Promise((resolve) => {
      const w = this.ensure();
      if (w === null) return resolve(null);
      this.waiting.set(req, resolve as (reply: Reply | null) => void);
      w.postMessage({ ...args, op, id, req } as ToWorker);
    });
  }

  // Forgets mirror `id`; the last one ends the worker.
  remove(id: number): void {
    if (!this.clients.delete(id)) return;
    this.worker?.postMessage({ op: 'close', id } satisfies ToWorker);
    if (this.clients.size === 0 && this.worker !== null) {
      const w = this.worker;
      this.detach();
      void w.terminate();
    }
  }

  private ensure(): Worker | null {
    if (this.worker !== null) return this.worker;
    if (this.deaths >= MAX_WORKER_DEATHS) return null;
    const w = startWorker();
    w.unref();
    w.on('message', (m: FromWorker) => {
      if (m.op === 'parsed') this.clients.get(m.id)?.parsed(m.bytes);
      else {
        this.waiting.get(m.req)?.(m);
        this.waiting.delete(m.req);
      }
    });
    const died = (): void => {
      if (this.worker !== w) return;
      this.deaths++;
      this.detach();
      if (this.clients.size > 0) for (const c of this.clients.values()) c.reopen();
    };
    w.on('error', died);
    w.on('exit', died);
    this.worker = w;
    return w;
  }

  // Drops the worker: pending requests get null.
  private detach(): void {
    this.worker = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const resolve of waiting) resolve(null);
  }
}

// The daemon's one host.
export const mirrorHost = new MirrorHost();

export type { ScreenText };
