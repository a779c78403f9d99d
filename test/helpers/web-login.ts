// Signing in to a test daemon's web terminal over raw HTTP, as the page does: the full token (or a
// watch token) traded for the cookie, then JSON POSTs with that cookie and the page's own Origin.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestDaemon } from './daemon';
import { httpRequest, type RawResponse } from './web-raw';

export interface WebSession {
  host: string;
  origin: string;
  cookie: string;
  // A POST of `body` to `api` as the signed-in page sends it; `headers` replaces any of ours.
  post(api: string, body: unknown, headers?: Record<string, string>): Promise<RawResponse & { json: Record<string, unknown> }>;
}

export async function webLogin(d: TestDaemon, login: Record<string, unknown> | null = null): Promise<WebSession> {
  const host = `localhost:${d.port}`;
  const origin = `http://${host}`;
  const token = fs.readFileSync(path.join(d.runtime, 'web-token'), 'utf8').trim();
  const r = await httpRequest(d.port, 'POST', '/api/login', { Host: host, Origin: origin, 'Content-Type': 'application/json' }, JSON.stringify(login ?? { token }));
  if (r.status !== 200) throw new Error(`sign-in refused: ${r.status} ${r.body}`);
  const cookie = (r.headers['set-cookie']?.[0] ?? '').split(';', 1)[0] as string;
  return {
    host,
    origin,
    cookie,
    async post(api, body, headers = {}) {
      const all: Record<string, string> = { Host: host, Origin: origin, Cookie: cookie, 'Content-Type': 'application/json', ...headers };
      for (const [k, v] of Object.entries(all)) if (v === '') delete all[k];
      const res = await httpRequest(d.port, 'POST', api, all, JSON.stringify(body));
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(res.body) as Record<string, unknown>;
      } catch {
        // not JSON (a refusal page)
      }
      return { ...res, json };
    },
  };
}
